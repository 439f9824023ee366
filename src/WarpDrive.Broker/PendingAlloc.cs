using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>A MEM_ALLOC whose region a worker is making (memfd, seals, mapping, prefault); already charged.</summary>
internal sealed record PendingAlloc(ClientConnection Connection, long Size, Task<SharedMemoryRegion> Region);
