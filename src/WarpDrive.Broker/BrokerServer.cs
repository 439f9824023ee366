using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Broker.Configuration;
using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>The broker: owns the configured devices and hands their queues to other processes, in the kernel's
/// uacce role. One thread runs everything but the engines: an epoll loop over the device sockets, the client
/// connections and the clients' pidfds, so the broker's own state needs no locks.</summary>
/// <remarks>
/// <para>This class is the composition root: it owns the run directory, the devices and the loop, and wires the
/// components that do the work, each with one concern: <see cref="ClientAcceptor"/> (accept, credentials,
/// connection caps), <see cref="ControlDispatcher"/> and <see cref="ControlHandler"/> (control messages),
/// <see cref="QueueService"/> and <see cref="WaitLine{T}"/> (START_Q and waiters), <see cref="RegionService"/>
/// (regions and domains), <see cref="BrokerAccounting"/> and <see cref="DeviceQuota"/> (accounting and caps),
/// <see cref="AllocationTable"/> (allocations a device plugin made: their queue limits),
/// <see cref="ClientCleanup"/> (client death, queue release) and <see cref="AttributePublisher"/> (the attribute
/// tree). They reach a client only through <see cref="IClientLink"/>, which this class implements.</para>
/// <para>Trust: every byte a client sends is checked, file descriptors a client attaches are closed unread, and no
/// client action can stop the loop: a failure while serving one connection closes that connection.</para>
/// </remarks>
public sealed partial class BrokerServer : IDisposable, IClientLink
{
    /// <summary>The loop's tick: attributes republished, paused listeners resumed, log counts flushed.</summary>
    internal const long TickMilliseconds = 200;

    private readonly BrokerConfig _config;
    private readonly ILogger _logger;
    private readonly ClientLog _clientLog; // the lines a client can cause: rate limited
    private readonly List<BrokerDevice> _devices = [];
    private readonly ClientTable _clients = new();
    private readonly Epoll _epoll = new();
    private readonly BrokerAccounting _accounting;
    private readonly AllocationTable _allocations;
    private readonly AttributePublisher _attributes;
    private readonly ClientAcceptor _acceptor;
    private readonly QueueService _queues;
    private readonly RegionService _regions;
    private readonly ClientCleanup _cleanup;
    private readonly ControlHandler _control;
    private readonly StatsFile? _stats;
    private readonly BrokerMetrics? _metrics;
    private readonly FileStream _lock;
    private readonly string _pidFile;
    private readonly string _pidNamespaceFile;
    private bool _disposed;

    /// <summary>Creates the run directory's tree, starts the devices and listens on their sockets.</summary>
    /// <exception cref="BrokerException">The run directory is in use by another broker or cannot be set up.</exception>
    public BrokerServer(BrokerConfig config, string runDirectory, ILogger logger)
    {
        _config = config;
        _logger = logger;
        _clientLog = new ClientLog(logger);
        RunDirectory = runDirectory;
        string classDir = Platform.RunDirectory.ClassDirectory(runDirectory);
        _pidFile = Path.Combine(runDirectory, "wdd.pid");
        _pidNamespaceFile = Path.Combine(runDirectory, Platform.RunDirectory.PidNamespaceFileName);
        _lock = LockRunDirectory(runDirectory, classDir);
        _attributes = new AttributePublisher(new AttributeTree(classDir), logger);
        _accounting = new BrokerAccounting(config.Limits, config.Scheduling);
        _allocations = AllocationTable.ForDirectory(Platform.RunDirectory.AllocationDirectory(runDirectory), config.Limits.RequireAllocation);
        _acceptor = new ClientAcceptor(_clients, _epoll, _accounting, _clientLog, this);
        _queues = new QueueService(_accounting, _allocations, this, _clientLog, _attributes);
        _regions = new RegionService(_accounting, this);
        _cleanup = new ClientCleanup(_clients, _epoll, _accounting, _allocations, _regions, _queues, _attributes, _clientLog, this);
        _control = new ControlHandler(this, _queues, _regions, _cleanup, _allocations);
        _stats = CreateStats(config, runDirectory, logger);
        string[] deprecated = [.. config.Devices.Where(d => d.WorkersFromEnginesKey).Select(d => d.Name)];
        if (deprecated.Length > 0)
        {
            logger.DeprecatedEnginesKey(string.Join(", ", deprecated));
        }

        try
        {
            foreach (DeviceConfig device in config.Devices)
            {
                StartDevice(device);
            }

            _metrics = new BrokerMetrics([.. _devices.Select(d => d.Host)]);

            // Before the pid file: a client that finds wdd.pid can tell whether the pid is one of its own namespace.
            File.WriteAllText(_pidNamespaceFile, (ProcessControl.ReadPidNamespace() ?? "") + "\n");
            File.WriteAllText(_pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The run directory this broker serves.</summary>
    public string RunDirectory { get; }

    /// <summary>Devices by name (diagnostics, tests).</summary>
    internal IReadOnlyList<BrokerDevice> Devices => _devices;

    private bool HasPending => _cleanup.HasPending || _regions.HasPending;

    /// <summary>Serves until <paramref name="stop"/> is cancelled.</summary>
    public void Run(CancellationToken stop)
    {
        Span<EpollEvent> events = stackalloc EpollEvent[64];
        long nextTick = 0;
        while (!stop.IsCancellationRequested)
        {
            // Releases and frees wait for engines to leave their queues: poll them every millisecond, never block.
            int n = _epoll.Wait(events, HasPending ? 1 : (int)TickMilliseconds);
            for (int i = 0; i < n; i++)
            {
                OnEvent(events[i]);
            }

            CompletePending();
            long now = Environment.TickCount64;
            if (_attributes.TakeDirty() || now >= nextTick)
            {
                nextTick = now + TickMilliseconds;
                OnTick(now);
            }
        }
    }

    private void CompletePending()
    {
        _cleanup.CompleteReleases();
        _regions.CompleteFrees();
        _regions.CompleteWorkerTasks();
    }

    private void OnTick(long now)
    {
        _clientLog.Limiter.Flush();
        foreach (BrokerDevice device in _devices)
        {
            if (device.Host.IsIsolated)
            {
                _queues.FailWaiters(device);
            }

            _acceptor.ResumeIfDue(device, now);
            _attributes.Publish(device);
        }
    }

    private void OnEvent(in EpollEvent e)
    {
        if (EpollTokens.IsDevice(e.Data, out int index))
        {
            _acceptor.Accept(_devices[index]);
        }
        else if (EpollTokens.IsPidfd(e.Data, out int pid))
        {
            _cleanup.ProcessExited(pid);
        }
        else if (_clients.Connections.TryGetValue(e.Data, out ClientConnection? connection))
        {
            try
            {
                if ((e.Events & EpollEvents.In) != 0)
                {
                    Receive(connection);
                }

                if (!connection.Closed && (e.Events & (EpollEvents.Hup | EpollEvents.Err)) != 0)
                {
                    Close(connection);
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or OutOfMemoryException or ArgumentException)
            {
                // Whatever one client did, it costs that client its connection, never the broker.
                _clientLog.ClientFailed(connection.Process.User.Uid, connection.Process.Pid, connection.Device.Name, ex.Message);
                Close(connection);
            }
        }
    }

    /// <summary>The transport end of the control protocol: reads the connection's datagrams until none is left and
    /// hands each, with its sender's pid, to the <see cref="ControlDispatcher"/>.</summary>
    private void Receive(ClientConnection c)
    {
        Span<byte> buffer = stackalloc byte[BrokerRequest.Size + 1];
        while (!c.Closed)
        {
            ReceiveStatus status = c.Socket.Receive(buffer, [], out int n, out _, out PeerCredentials? sender);
            if (status == ReceiveStatus.WouldBlock)
            {
                return; // drained
            }

            if (status == ReceiveStatus.EndOfStream)
            {
                Close(c);
                return;
            }

            // Rejected: truncated, or file descriptors attached (closed by Receive): refused as a message of the wrong size.
            ControlDispatcher.Dispatch(_control, c, status == ReceiveStatus.Message ? buffer[..n] : [], sender?.Pid, c.Process.Pid);
        }
    }

    /// <inheritdoc/>
    void IClientLink.Reply(ClientConnection c, in BrokerResponse response, string? message, SafeHandle? fd) => Reply(c, response, message, fd);

    /// <inheritdoc/>
    void IClientLink.TryReply(ClientConnection c, in BrokerResponse response, string? message, SafeHandle? fd)
    {
        try
        {
            Reply(c, response, message, fd);
        }
        catch (IOException e)
        {
            _clientLog.ClientFailed(c.Process.User.Uid, c.Process.Pid, c.Device.Name, e.Message);
            Close(c);
        }
    }

    /// <inheritdoc/>
    void IClientLink.Close(ClientConnection c) => Close(c);

    private void Close(ClientConnection c) => _cleanup.Close(c);

    private static void Reply(ClientConnection c, in BrokerResponse response, string? message, SafeHandle? fd)
    {
        Span<byte> buffer = stackalloc byte[BrokerProtocol.MaxDatagram];
        ReadOnlySpan<byte> datagram = ControlReply.Encode(response, message, buffer);
        if (!(fd is null ? c.Socket.TrySend(datagram) : c.Socket.TrySend(datagram, [fd])))
        {
            // The client does not read its replies: it can only hurt itself.
            throw new IOException("the client's receive buffer is full");
        }
    }

    /// <summary>Disables every started queue (clients see DISABLED, reason BROKER_EXIT), closes every connection,
    /// stops the devices and removes the sockets and the attribute tree.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _queues.Stopping = true;
        _metrics?.Dispose(); // before the devices it reads
        foreach (ClientConnection c in _clients.Connections.Values)
        {
            if (c.Queue is { } queue)
            {
                c.Device.Host.DisableQueue(queue.Id, QueueDisableReason.BrokerExit);
            }
        }

        foreach (ClientConnection c in _clients.Connections.Values.ToArray())
        {
            Close(c);
        }

        // Every queue was disabled above, so the engines leave them after the request they run.
        while (HasPending)
        {
            CompletePending();
            Thread.Sleep(1);
        }

        foreach (BrokerDevice device in _devices)
        {
            device.Dispose();
            TryDelete(device.SocketPath);
            _attributes.Remove(device);
        }

        _stats?.Dispose(); // after the devices: their engines counted in it
        _clientLog.Limiter.Flush(all: true); // the counts of lines suppressed in the last interval
        TryDelete(_pidFile);
        TryDelete(_pidNamespaceFile);
        _epoll.Dispose();
        _lock.Dispose();
    }
}
