using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>A static-share region (SHARE mode) the broker made for a client: a sealed memfd mapped in both processes.
/// Entered in the client's domain once the client says where it mapped it.</summary>
internal sealed class SharedRegion(ulong handle, SharedMemoryRegion memory) : IDisposable
{
    public ulong Handle { get; } = handle;

    public SharedMemoryRegion Memory { get; } = memory;

    public long Length => Memory.Length;

    /// <summary>The domain's handle for the range, once mapped; 0 before.</summary>
    public int DomainHandle { get; set; }

    /// <summary>Where the client mapped it.</summary>
    public ulong ClientAddress { get; set; }

    public void Dispose() => Memory.Dispose();
}
