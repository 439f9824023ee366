using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>One open of a device: a connection on its socket (uacce: an open of the chrdev). It holds at most one
/// queue and the ring region mapped for it, or waits for one in its device's <see cref="BrokerDevice.Waiters"/>.</summary>
internal sealed class ClientConnection(ulong id, BrokerDevice device, UnixSeqPacketSocket socket, ClientProcess process)
{
    /// <summary>The epoll token.</summary>
    public ulong Id { get; } = id;

    public BrokerDevice Device { get; } = device;

    public UnixSeqPacketSocket Socket { get; } = socket;

    public ClientProcess Process { get; } = process;

    public HardwareQueue? Queue { get; set; }

    /// <summary>The ring region (DUS) of <see cref="Queue"/>, mapped in the broker until the queue is released.</summary>
    public SharedMemoryRegion? Ring { get; set; }

    /// <summary>The allocation this connection claimed (<c>CLAIM</c>), whose limits its queue counts against; null when none.</summary>
    public Allocation? Allocation { get; set; }

    public bool Closed { get; set; }
}
