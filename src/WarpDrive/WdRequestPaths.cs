namespace WarpDrive;

/// <summary>Which path served an algorithm library's requests since the runtime started (<see cref="WdRuntime.GetRequestPaths"/>):
/// inline in the callers' threads (Mix mode) or through a device's queues.</summary>
/// <param name="Inline">Requests run inline (below the library's inline threshold).</param>
/// <param name="Queued">Requests submitted to a device's queues (in-process engines, the broker, hardware).</param>
public readonly record struct WdRequestPaths(long Inline, long Queued);
