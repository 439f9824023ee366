using WarpDrive.Broker.Configuration;
using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>A device the broker owns: its host (engines and queues), its socket under <c>&lt;run&gt;/dev</c>, the
/// FIFO of callers waiting for a queue, and its side of the queue accounting.</summary>
internal sealed class BrokerDevice(DeviceConfig config, DeviceHost host, UnixSeqPacketSocket listener, string socketPath) : IDisposable
{
    public DeviceConfig Config { get; } = config;

    public DeviceHost Host { get; } = host;

    public string Name => Host.Name;

    public UnixSeqPacketSocket Listener { get; } = listener;

    public string SocketPath { get; } = socketPath;

    /// <summary>START_Q callers waiting (<c>WAIT</c>) for a free queue, first come, first served.</summary>
    public WaitLine<ClientConnection> Waiters { get; } = new();

    /// <summary>Queues of this device each account holds, and its <c>reserved_queues</c>.</summary>
    public DeviceQuota Quota { get; } = new(host.Name, config.ReservedQueues, () => host.AvailableInstances);

    /// <summary>The listener's epoll token.</summary>
    public ulong Token { get; set; }

    /// <summary>Accepting is paused (the listener is out of epoll) until <see cref="AcceptResumeAt"/>.</summary>
    public bool AcceptPaused { get; set; }

    /// <summary>When <c>isolate_strategy</c> was first found empty (perhaps mid-write; Environment.TickCount64), or 0.</summary>
    public long EmptyStrategySince { get; set; }

    /// <summary>When to accept again (Environment.TickCount64).</summary>
    public long AcceptResumeAt { get; set; }

    public void Dispose()
    {
        Listener.Dispose();
        Host.Dispose();
    }
}
