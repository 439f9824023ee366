using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>A queue being released: the engine was told to stop; once it has left the queue the broker unmaps the
/// ring, returns the accounting and, for PUT_Q, replies.</summary>
internal sealed record PendingRelease(ClientConnection Connection, HardwareQueue Queue, SharedMemoryRegion Ring, bool Reply);
