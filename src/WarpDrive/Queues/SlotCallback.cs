using WarpDrive.Abi;

namespace WarpDrive.Queues;

/// <summary>Hands an async request's completion to the application's callback: <paramref name="callback"/> is the
/// delegate the application gave, typed by the library (a static lambda per library, so that no request allocates).</summary>
internal delegate void SlotCallback(in Cqe cqe, object callback, object? state);
