namespace WarpDrive.Abi.Broker;

/// <summary>Control messages on a device socket: the broker's stand-ins for uacce's open/ioctl/mmap/release.
/// See docs/BROKER-PROTOCOL.md.</summary>
public enum BrokerOp : ushort
{
    /// <summary>The device and the broker: protocol version, broker pid, device flags, ring geometry.</summary>
    Info = 1,

    /// <summary>uacce START_Q: allocate and start a queue for this connection; the reply carries the ring region's fd.
    /// With <see cref="BrokerRequestFlags.Wait"/>, a device without a free queue queues the caller (FIFO).</summary>
    StartQueue = 2,

    /// <summary>uacce PUT_Q: stop and release this connection's queue (closing the connection does the same).</summary>
    PutQueue = 3,

    /// <summary>Names the allocation this connection's queues count against: <c>arg0</c> and <c>arg1</c> are the
    /// allocation token (<see cref="AllocationToken"/>), as a device plugin handed it to the client's container
    /// (<c>WD_ALLOCATION</c>). Sent before <see cref="StartQueue"/>.</summary>
    Claim = 4,

    /// <summary>Allocate a shared region (SHARE mode) of <c>arg0</c> bytes; the reply carries its fd and handle.</summary>
    MemAlloc = 0x10,

    /// <summary>Enter region <c>arg0</c> in the caller's domain at the caller's address <c>arg1</c> (where it mapped it).</summary>
    MemMap = 0x11,

    /// <summary>Remove region <c>arg0</c> from the domain and free it.</summary>
    MemFree = 0x12,
}
