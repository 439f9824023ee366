using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Abi.Stats;
using WarpDrive.Broker.Configuration;
using WarpDrive.Devices;
using WarpDrive.Devices.Engines;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>The broker: owns the configured devices and hands their queues to other processes, in the kernel's
/// uacce role. One thread runs everything but the engines: an epoll loop over the device sockets, the client
/// connections and the clients' pidfds, so the broker's own state needs no locks.</summary>
/// <remarks>Trust: every byte a client sends is checked, file descriptors a client attaches are closed unread,
/// and no client action can stop the loop: a failure while serving one connection closes that connection.</remarks>
public sealed class BrokerServer : IDisposable
{
    private const ulong DeviceTokenBase = 1UL << 62; // tokens: devices, pidfds (bit 61), connections (the rest)
    private const ulong PidfdTokenBase = 1UL << 61;
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(200);

    private readonly BrokerConfig _config;
    private readonly ILogger _logger;
    private readonly ClientLog _clientLog; // the lines a client can cause: rate limited
    private readonly List<BrokerDevice> _devices = [];
    private readonly Dictionary<ulong, ClientConnection> _connections = [];
    private readonly Dictionary<int, ClientProcess> _processes = [];
    private readonly Dictionary<uint, UserAccount> _users = [];
    private readonly Epoll _epoll = new();
    private readonly AttributeTree _tree;
    private readonly StatsFile? _stats;
    private readonly BrokerMetrics? _metrics;
    private readonly FileStream _lock;
    private readonly string _pidFile;
    private readonly HashSet<string> _writable = new(StringComparer.Ordinal) { DeviceAttributeNames.IsolateStrategy };
    private readonly List<PendingRelease> _releases = [];
    private readonly List<PendingFree> _frees = [];
    private readonly List<PendingAlloc> _allocs = [];
    private readonly List<PendingUnmap> _unmaps = [];
    private ulong _nextConnection;
    private int _attributesDirty;
    private bool _disposed;

    /// <summary>Creates the run directory's tree, starts the devices and listens on their sockets.</summary>
    /// <exception cref="BrokerException">The run directory is in use by another broker or cannot be set up.</exception>
    public BrokerServer(BrokerConfig config, string runDirectory, ILogger logger)
    {
        _config = config;
        _logger = logger;
        _clientLog = new ClientLog(logger);
        RunDirectory = runDirectory;
        string devDir = Path.Combine(runDirectory, "dev");
        string classDir = Platform.RunDirectory.ClassDirectory(runDirectory);
        _pidFile = Path.Combine(runDirectory, "wdd.pid");
        try
        {
            CreateDirectory(runDirectory);
            CreateDirectory(devDir);
            CreateDirectory(classDir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BrokerException($"run directory {runDirectory}: {e.Message}", e);
        }

        string lockPath = Path.Combine(runDirectory, "wdd.lock");
        try
        {
            // .NET locks a FileShare.None file with flock on Unix: a second broker on this directory fails here.
            _lock = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(lockPath))
        {
            throw new BrokerException($"run directory {runDirectory}: another wdd holds {lockPath} ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BrokerException($"run directory {runDirectory}: {e.Message}", e);
        }

        _tree = new AttributeTree(classDir);
        _stats = CreateStats(config, runDirectory, logger);
        try
        {
            foreach (DeviceConfig device in config.Devices)
            {
                StartDevice(device);
            }

            _metrics = new BrokerMetrics([.. _devices.Select(d => d.Host)]);

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

    /// <summary>The stats file <c>wd top</c> reads (<c>&lt;run&gt;/stats/&lt;pid&gt;-1.stats</c>); null when
    /// <c>WD_STATS=0</c> or when it cannot be made (counters are a diagnostic: the broker serves without them).</summary>
    private static StatsFile? CreateStats(BrokerConfig config, string runDirectory, ILogger logger)
    {
        if (StatsFile.IsDisabledByEnvironment)
        {
            return null;
        }

        try
        {
            int devices = Math.Min(config.Devices.Count, StatsLayout.MaxDevices);
            int queues = (int)Math.Min(config.Devices.Sum(d => (long)d.Queues), StatsLayout.MaxQueues);
            StatsFile stats = StatsFile.Create(runDirectory, StatsPublisher.Broker, devices, queues);
            logger.StatsPublished(stats.Path);
            return stats;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.StatsUnavailable(e.Message);
            return null;
        }
    }

    private static void CreateDirectory(string path) =>
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

    private void StartDevice(DeviceConfig config)
    {
        DeflateEngine engine;
        try
        {
            engine = DeflateEngine.FromName(config.Engine);
        }
        catch (InvalidOperationException e)
        {
            throw new BrokerException($"device {config.Name}: engine: {e.Message}", e) { IsConfigurationError = true };
        }

        DeviceFlags flags = ((config.Memory & DeviceMemoryModes.Sva) != 0 ? DeviceFlags.Sva : 0)
                            | ((config.Memory & DeviceMemoryModes.Share) != 0 ? DeviceFlags.Share : 0);
        DeviceModel model = DeviceCatalog.Create(config.Model, config.Name, engine);
        var host = new DeviceHost(model, new DeviceHostOptions
        {
            QueueCount = config.Queues,
            QueueDepth = config.QueueDepth,
            EngineCount = config.Engines,
            MaxStreamsPerQueue = config.MaxStreamsPerQueue,
            NumaNode = config.NumaNode,
            Flags = flags,
            QueueErrorThreshold = _config.Limits.QueueErrorThreshold,
            MaxRequestBytes = _config.Limits.MaxRequestBytes,
            EngineQuantum = TimeSpan.FromMicroseconds(_config.Scheduling.QuantumMicroseconds),
            BulkThresholdBytes = _config.Scheduling.BulkThresholdBytes,
            IsolateStrategy = config.IsolateStrategy,
            FaultInjectionInterval = config.FaultInjection,
        }, _stats);
        string socketPath = Platform.RunDirectory.DeviceSocket(RunDirectory, config.Name);
        UnixSeqPacketSocket? listener = null;
        try
        {
            listener = UnixSeqPacketSocket.Listen(socketPath, backlog: 128, config.SocketMode);
            // On the listener too: accept() copies it to the new socket at once. Set only on the accepted socket, a
            // request the client sends between our accept and that setsockopt arrives without credentials (NOT_OWNER).
            listener.EnablePassCredentials();
            if (config.SocketGroup is not null)
            {
                FileOwnership.SetGroup(socketPath, config.SocketGroup);
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            // Not a device yet: Dispose would not know to remove its socket.
            listener?.Dispose();
            TryDelete(socketPath);
            host.Dispose();
            throw e is ArgumentException
                ? new BrokerException($"device {config.Name}: socket_group: {e.Message}", e) { IsConfigurationError = true }
                : new BrokerException($"device {config.Name}: cannot listen on {socketPath}: {e.Message}", e);
        }

        var device = new BrokerDevice(config, host, listener, socketPath);
        _devices.Add(device);
        host.QueueDisabled += (queue, reason) =>
        {
            _clientLog.QueueDisabled(host.Name, queue.Tenant.Uid, queue.Id, reason, queue.DescriptorErrors);
            Volatile.Write(ref _attributesDirty, 1);
        };
        host.RequestFailed += (queue, e) => _clientLog.RequestFailed(host.Name, queue.Tenant.Uid, queue.Id, $"{e.GetType().Name}: {e.Message}");
        host.Isolated += h =>
        {
            _logger.DeviceIsolated(h.Name, h.FaultCount, h.IsolateStrategy, h.LastFault);
            Volatile.Write(ref _attributesDirty, 1);
        };
        device.Token = DeviceTokenBase + (ulong)(_devices.Count - 1);
        _epoll.Add(listener.Handle, EpollEvents.In, device.Token);
        PublishAttributes(device);
        _logger.DeviceStarted(config.Name, config.Queues, config.QueueDepth, host.Options.EngineCount, engine.Name, flags, socketPath);
    }

    /// <summary>Serves until <paramref name="stop"/> is cancelled.</summary>
    public void Run(CancellationToken stop)
    {
        Span<EpollEvent> events = stackalloc EpollEvent[64];
        long nextTick = 0;
        while (!stop.IsCancellationRequested)
        {
            // Releases and frees wait for engines to leave their queues: poll them every millisecond, never block.
            int n = _epoll.Wait(events, HasPending ? 1 : (int)s_tick.TotalMilliseconds);
            for (int i = 0; i < n; i++)
            {
                Dispatch(events[i]);
            }

            CompletePending();
            CompleteWorkerTasks();
            long now = Environment.TickCount64;
            if (Interlocked.Exchange(ref _attributesDirty, 0) != 0 || now >= nextTick)
            {
                nextTick = now + (long)s_tick.TotalMilliseconds;
                _clientLog.Limiter.Flush();
                foreach (BrokerDevice device in _devices)
                {
                    if (device.Host.IsIsolated)
                    {
                        FailWaiters(device);
                    }

                    if (device.AcceptPaused && now >= device.AcceptResumeAt)
                    {
                        device.AcceptPaused = false;
                        _epoll.Add(device.Listener.Handle, EpollEvents.In, device.Token);
                    }

                    PublishAttributes(device);
                }
            }
        }
    }

    private void Dispatch(in EpollEvent e)
    {
        if (e.Data >= DeviceTokenBase)
        {
            Accept(_devices[(int)(e.Data - DeviceTokenBase)]);
        }
        else if (e.Data >= PidfdTokenBase)
        {
            if (_processes.TryGetValue((int)(e.Data - PidfdTokenBase), out ClientProcess? process))
            {
                _clientLog.ClientExited(process.User.Uid, process.Pid, process.Connections.Count);
                foreach (ClientConnection c in process.Connections.ToArray())
                {
                    Close(c);
                }
            }
        }
        else if (_connections.TryGetValue(e.Data, out ClientConnection? connection))
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

    private void Accept(BrokerDevice device)
    {
        Span<byte> buffer = stackalloc byte[BrokerProtocol.MaxDatagram];
        while (TryAccept(device) is { } socket)
        {
            PeerCredentials peer;
            ClientProcess? process;
            try
            {
                peer = socket.GetPeerCredentials();
                // Per user first: one user that opens thousands of connections must not lock the others out.
                UserAccount? account = ChargedAccount(peer);
                int userConnections = account?.Connections ?? 0;
                string? refusal = userConnections >= _config.Limits.MaxConnectionsPerUser
                    ? $"uid {account?.Uid ?? peer.Uid} already holds {userConnections} connections (max_connections_per_user)"
                    : _connections.Count >= _config.Limits.MaxClients ? $"broker at max_clients ({_config.Limits.MaxClients})" : null;
                if (refusal is not null)
                {
                    // Rate limited: a client that retries in a loop must not flood the log.
                    _clientLog.TooManyClients(account?.Uid ?? peer.Uid, device.Name, peer.Pid, refusal);
                    _ = socket.TrySend(Encode(new BrokerResponse { Status = BrokerStatus.ConnectionLimit }, refusal, buffer));
                    socket.Dispose();
                    continue;
                }

                socket.EnablePassCredentials();
                process = FindOrAddProcess(socket, peer);
            }
            catch (IOException e)
            {
                _clientLog.AcceptFailed(device.Name, e.Message);
                socket.Dispose();
                continue;
            }

            if (process is null)
            {
                socket.Dispose(); // gone already
                continue;
            }

            var connection = new ClientConnection(++_nextConnection, device, socket, process);
            _connections.Add(connection.Id, connection);
            process.Connections.Add(connection);
            process.User.Connections++;
            _epoll.Add(socket.Handle, EpollEvents.In | EpollEvents.RdHup, connection.Id);
        }
    }

    /// <summary>The next pending connection; on EMFILE, ENFILE or ENOMEM stops accepting on the device for a tick
    /// (the listener is level-triggered: it would fire again at once).</summary>
    private UnixSeqPacketSocket? TryAccept(BrokerDevice device)
    {
        try
        {
            return device.Listener.TryAccept(out UnixSeqPacketSocket? socket) ? socket : null;
        }
        catch (IOException e)
        {
            _clientLog.AcceptFailed(device.Name, e.Message);
            _epoll.Remove(device.Listener.Handle);
            device.AcceptPaused = true;
            device.AcceptResumeAt = Environment.TickCount64 + (long)s_tick.TotalMilliseconds;
            return null;
        }
    }

    /// <summary>The account a new connection of <paramref name="peer"/> will be charged to: its process's, which is
    /// that of the uid the process first connected with. A process that changed its uid since (a daemon that dropped
    /// privileges) stays on that account, so the cap is checked there, not on the account of its uid now.</summary>
    private UserAccount? ChargedAccount(PeerCredentials peer)
    {
        if (_processes.TryGetValue(peer.Pid, out ClientProcess? known) && known.User.Uid != peer.Uid
            && known.StartTime == ProcessControl.ReadStartTime(peer.Pid))
        {
            return known.User;
        }

        return _users.GetValueOrDefault(peer.Uid);
    }

    private ClientProcess? FindOrAddProcess(UnixSeqPacketSocket socket, PeerCredentials peer)
    {
        string? startTime = ProcessControl.ReadStartTime(peer.Pid);
        if (startTime is null)
        {
            return null;
        }

        if (_processes.TryGetValue(peer.Pid, out ClientProcess? known))
        {
            if (known.StartTime == startTime)
            {
                return known;
            }

            // The pid was reused before we saw the old process's pidfd: that one is gone.
            foreach (ClientConnection c in known.Connections.ToArray())
            {
                Close(c);
            }
        }

        SafeFileHandle pidfd = socket.TryGetPeerPidfd(out SafeFileHandle? peerPidfd) ? peerPidfd : Pidfd.Open(peer.Pid);
        try
        {
            // Watched before it enters the tables: a failure here (ENOMEM, ENOSPC) leaves nothing behind.
            _epoll.Add(pidfd, EpollEvents.In, PidfdTokenBase + (ulong)peer.Pid);
        }
        catch
        {
            pidfd.Dispose();
            throw;
        }

        if (!_users.TryGetValue(peer.Uid, out UserAccount? user))
        {
            user = new UserAccount(peer.Uid);
            _users.Add(peer.Uid, user);
        }

        var process = new ClientProcess(peer.Pid, startTime, user, pidfd);
        user.Processes++;
        _processes.Add(peer.Pid, process);
        return process;
    }

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

            if (status == ReceiveStatus.Rejected || n != BrokerRequest.Size)
            {
                // Rejected: truncated, or file descriptors attached (closed by Receive); else the wrong size.
                Reply(c, new BrokerResponse { Status = BrokerStatus.BadMessage }, $"a request is {BrokerRequest.Size} bytes without file descriptors");
                continue;
            }

            BrokerRequest request = MemoryMarshal.Read<BrokerRequest>(buffer);
            if (sender is not { } s || s.Pid != c.Process.Pid)
            {
                Reply(c, new BrokerResponse { Op = request.Op, Status = BrokerStatus.NotOwner }, "only the process that opened the queue may use it");
                continue;
            }

            Handle(c, request);
        }
    }

    private void Handle(ClientConnection c, in BrokerRequest request)
    {
        var response = new BrokerResponse { Op = request.Op };
        if (request.Reserved != 0 || (request.Flags & ~BrokerRequestFlags.Wait) != 0
            || (request.Flags != 0 && request.Op != BrokerOp.StartQueue))
        {
            Reply(c, response with { Status = BrokerStatus.BadMessage }, "reserved bits set");
            return;
        }

        switch (request.Op)
        {
            case BrokerOp.Info:
                DeviceHost host = c.Device.Host;
                Reply(c, response with
                {
                    Value0 = BrokerProtocol.Version,
                    Value1 = (ulong)Environment.ProcessId,
                    Value2 = (ulong)host.Flags | ((ulong)(uint)host.Options.QueueDepth << 32),
                });
                break;
            case BrokerOp.StartQueue:
                StartQueue(c, (request.Flags & BrokerRequestFlags.Wait) != 0);
                break;
            case BrokerOp.PutQueue:
                if (c.Queue is null)
                {
                    Reply(c, response with { Status = BrokerStatus.NotStarted }, "no queue is started on this connection");
                    return;
                }

                ReleaseQueue(c, replyWhenDone: true); // the reply says the engine has left the queue
                break;
            case BrokerOp.MemAlloc:
                MemAlloc(c, request.Arg0);
                break;
            case BrokerOp.MemMap:
                MemMap(c, request.Arg0, request.Arg1);
                break;
            case BrokerOp.MemFree:
                MemFree(c, request.Arg0);
                break;
            default:
                Reply(c, response with { Status = BrokerStatus.BadMessage }, $"unknown op {(ushort)request.Op}");
                break;
        }
    }

    private void StartQueue(ClientConnection c, bool wait)
    {
        var response = new BrokerResponse { Op = BrokerOp.StartQueue };
        DeviceHost host = c.Device.Host;
        if (c.Queue is not null || c.WaitNode is not null)
        {
            Reply(c, response with { Status = BrokerStatus.AlreadyStarted }, "this connection already has a queue (one connection, one queue)");
        }
        else if (host.IsIsolated)
        {
            Reply(c, response with { Status = BrokerStatus.Isolated }, $"{host.Name} is isolated after {host.FaultCount} device faults");
        }
        else if (QueueLimitReached(c.Process.User) is { } refusal)
        {
            Reply(c, response with { Status = BrokerStatus.QueueLimit }, refusal);
        }
        else if (ReserveRefusal(c.Device, c.Process.User) is { } reserved)
        {
            // Free queues there are, but not for this user: to the client it is NO_QUEUE (libwd moves on or waits).
            if (wait)
            {
                c.WaitNode = c.Device.Waiters.AddLast(c);
            }
            else
            {
                Reply(c, response with { Status = BrokerStatus.NoQueue }, reserved);
            }
        }
        else if (!TryStartQueue(c))
        {
            if (wait)
            {
                c.WaitNode = c.Device.Waiters.AddLast(c);
            }
            else
            {
                Reply(c, response with { Status = BrokerStatus.NoQueue }, $"{host.Name} has no free queue (available_instances is 0)");
            }
        }
    }

    /// <summary>Why <paramref name="user"/> may not take one of the free queues of <paramref name="device"/> now
    /// (<c>reserved_queues</c>: it holds a queue of the device and at most that many are free), or null when it may
    /// or when none is free (then the answer is the plain NO_QUEUE).</summary>
    private static string? ReserveRefusal(BrokerDevice device, UserAccount user)
    {
        int reserved = device.Config.ReservedQueues;
        if (reserved == 0 || !device.QueuesHeld.TryGetValue(user, out int held))
        {
            return null;
        }

        int free = device.Host.AvailableInstances;
        return free == 0 || free > reserved ? null
            : $"uid {user.Uid} holds {held} queue(s) of {device.Name}; its last {reserved} free queue(s) are kept for users that hold none (reserved_queues)";
    }

    /// <summary>Allocates a queue on a fresh ring region and sends it; false when the device has none free.</summary>
    private bool TryStartQueue(ClientConnection c)
    {
        DeviceHost host = c.Device.Host;
        // A fresh memfd per START_Q: a previous owner that kept its mapping after close can reach only its own old ring.
        SharedMemoryRegion ring = SharedMemoryRegion.Create($"wd-{host.Name}-ring", host.RegionSize);
        HardwareQueue? queue;
        try
        {
            uint uid = c.Process.User.Uid;
            _ = host.TryAllocateQueue(c.Process.Domain, ring.Address, host.GetTenant(uid, _config.Scheduling.WeightOf(uid), _config.Scheduling.MaxShareOf(uid)), out queue);
        }
        catch
        {
            ring.Dispose();
            throw;
        }

        if (queue is null)
        {
            ring.Dispose();
            return false;
        }

        c.Queue = queue;
        c.Ring = ring;
        c.Process.User.Queues++;
        CollectionsMarshal.GetValueRefOrAddDefault(c.Device.QueuesHeld, c.Process.User, out _)++;
        Volatile.Write(ref _attributesDirty, 1);
        var response = new BrokerResponse
        {
            Op = BrokerOp.StartQueue,
            Value0 = (ulong)queue.Id,
            Value1 = (ulong)ring.Length,
            Value2 = (ulong)queue.Depth,
        };
        Reply(c, response, null, ring.Handle);
        ring.CloseHandle(); // the mapping stays; the broker needs no fd per queue
        return true;
    }

    /// <summary>Starts releasing the connection's queue; <see cref="CompletePending"/> finishes once the engine has
    /// left it (unmaps the ring, returns the accounting, hands the queue on, replies to PUT_Q).</summary>
    private void ReleaseQueue(ClientConnection c, bool replyWhenDone = false)
    {
        if (c.Queue is { } queue)
        {
            c.Device.Host.BeginRelease(queue);
            _releases.Add(new PendingRelease(c, queue, c.Ring!, replyWhenDone));
            c.Queue = null;
            c.Ring = null;
        }
    }

    /// <summary>Finishes the releases and frees whose engines have moved on.</summary>
    private void CompletePending()
    {
        for (int i = 0; i < _releases.Count; i++)
        {
            PendingRelease r = _releases[i];
            BrokerDevice device = r.Connection.Device;
            if (!device.Host.TryCompleteRelease(r.Queue))
            {
                continue;
            }

            _releases.RemoveAt(i--);
            r.Ring.Dispose(); // no device thread touches the ring any more
            UserAccount user = r.Connection.Process.User;
            user.Queues--;
            if (--device.QueuesHeld[user] == 0)
            {
                device.QueuesHeld.Remove(user);
            }

            ForgetIfIdle(user);
            Volatile.Write(ref _attributesDirty, 1);
            if (r.Reply && !r.Connection.Closed)
            {
                TryReply(r.Connection, new BrokerResponse { Op = BrokerOp.PutQueue });
            }

            HandToWaiter(device);
        }

        for (int i = 0; i < _frees.Count; i++)
        {
            PendingFree f = _frees[i];
            if (f.Grace is { } grace && !grace.TryComplete())
            {
                continue;
            }

            _frees.RemoveAt(i--);
            Unmap(f.Region.Memory, f.User, f.ReplyTo); // no engine holds a pointer into it any more
        }
    }

    /// <summary>Finishes region allocations and unmaps done on workers.</summary>
    private void CompleteWorkerTasks()
    {
        for (int i = 0; i < _allocs.Count; i++)
        {
            if (_allocs[i].Region.IsCompleted)
            {
                PendingAlloc a = _allocs[i];
                _allocs.RemoveAt(i--);
                CompleteAlloc(a);
            }
        }

        for (int i = 0; i < _unmaps.Count; i++)
        {
            if (_unmaps[i].Done.IsCompleted)
            {
                PendingUnmap u = _unmaps[i];
                _unmaps.RemoveAt(i--);
                u.User.SharedBytes -= u.Length;
                u.User.Regions--;
                ForgetIfIdle(u.User);
                if (u.ReplyTo is { Closed: false } c)
                {
                    TryReply(c, new BrokerResponse { Op = BrokerOp.MemFree });
                }
            }
        }
    }

    private bool HasPending => _releases.Count > 0 || _frees.Count > 0 || _allocs.Count > 0 || _unmaps.Count > 0;

    private void ForgetIfIdle(UserAccount user)
    {
        if (user.IsIdle)
        {
            _users.Remove(user.Uid);
        }
    }

    /// <summary>Replies, closing the connection if the client does not take it.</summary>
    private void TryReply(ClientConnection c, in BrokerResponse response, string? message = null, SafeHandle? fd = null)
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

    /// <summary>Gives a freed queue to the first caller still waiting for one that may take it (FIFO; a caller
    /// held back by <c>reserved_queues</c> keeps its place for a later release).</summary>
    private void HandToWaiter(BrokerDevice device)
    {
        LinkedListNode<ClientConnection>? node = device.Waiters.First;
        while (!_disposed && node is not null)
        {
            LinkedListNode<ClientConnection>? next = node.Next;
            ClientConnection waiter = node.Value;
            if (waiter.Closed)
            {
                device.Waiters.Remove(node);
                waiter.WaitNode = null;
            }
            else if (QueueLimitReached(waiter.Process.User) is { } refusal)
            {
                // It qualified when it joined the line; its user has taken queues since.
                device.Waiters.Remove(node);
                waiter.WaitNode = null;
                TryReply(waiter, new BrokerResponse { Op = BrokerOp.StartQueue, Status = BrokerStatus.QueueLimit }, refusal);
            }
            else if (ReserveRefusal(device, waiter.Process.User) is null)
            {
                try
                {
                    if (!TryStartQueue(waiter))
                    {
                        return; // none free after all: it keeps its place
                    }

                    device.Waiters.Remove(node);
                    waiter.WaitNode = null;
                    return;
                }
                catch (IOException e)
                {
                    device.Waiters.Remove(node);
                    waiter.WaitNode = null;
                    _clientLog.HandOverFailed(waiter.Process.User.Uid, waiter.Process.Pid, e.Message);
                    Close(waiter);
                }
            }

            node = next;
        }
    }

    /// <summary>Why <paramref name="user"/> may not take another queue, or null when it may.</summary>
    private string? QueueLimitReached(UserAccount user) => user.Queues < _config.Limits.MaxQueuesPerUser ? null
        : $"uid {user.Uid} already holds {user.Queues} queues (max_queues_per_user)";

    /// <summary>Tells every caller waiting for a queue of an isolated device that none will come.</summary>
    private void FailWaiters(BrokerDevice device)
    {
        while (device.Waiters.First is { } node)
        {
            device.Waiters.RemoveFirst();
            ClientConnection waiter = node.Value;
            waiter.WaitNode = null;
            if (!waiter.Closed)
            {
                TryReply(waiter, new BrokerResponse { Op = BrokerOp.StartQueue, Status = BrokerStatus.Isolated }, $"{device.Name} is isolated");
            }
        }
    }

    private void MemAlloc(ClientConnection c, ulong length)
    {
        var response = new BrokerResponse { Op = BrokerOp.MemAlloc };
        UserAccount user = c.Process.User;
        long cap = _config.Limits.MaxSharedBytesPerUser;
        if (length == 0 || length > (ulong)cap)
        {
            Reply(c, response with { Status = BrokerStatus.BadAddress }, $"a shared region is 1 byte to {cap} bytes (max_shared_bytes_per_user)");
            return;
        }

        long size = (long)((length + RingLayout.PageSize - 1) & ~(ulong)(RingLayout.PageSize - 1));
        if (user.SharedBytes + size > cap)
        {
            Reply(c, response with { Status = BrokerStatus.MemoryLimit }, $"uid {user.Uid} would share {user.SharedBytes + size} bytes, over max_shared_bytes_per_user {cap}");
            return;
        }

        if (user.Regions >= _config.Limits.MaxRegionsPerUser)
        {
            Reply(c, response with { Status = BrokerStatus.MemoryLimit }, $"uid {user.Uid} already holds {user.Regions} shared regions (max_regions_per_user)");
            return;
        }

        // Charged now, made on a worker: prefaulting a large region takes long enough to stall every other client.
        user.SharedBytes += size;
        user.Regions++;
        string name = $"wd-share-{c.Process.Pid}";
        _allocs.Add(new PendingAlloc(c, size, Task.Run(() => SharedMemoryRegion.Create(name, size))));
    }

    /// <summary>Hands a region made on a worker to the client that asked for it.</summary>
    private void CompleteAlloc(PendingAlloc a)
    {
        ClientConnection c = a.Connection;
        if (a.Region.Exception is { } failure)
        {
            c.Process.User.SharedBytes -= a.Size;
            c.Process.User.Regions--;
            ForgetIfIdle(c.Process.User);
            if (!c.Closed)
            {
                TryReply(c, new BrokerResponse { Op = BrokerOp.MemAlloc, Status = BrokerStatus.Internal },
                    $"cannot make a {a.Size}-byte region: {failure.GetBaseException().Message}");
            }

            return;
        }

        SharedMemoryRegion memory = a.Region.Result;
        if (c.Closed)
        {
            Unmap(memory, c.Process.User, replyTo: null);
            return;
        }

        var region = new SharedRegion(c.Process.NextRegionHandle(), memory);
        c.Process.Regions.Add(region.Handle, region);
        TryReply(c, new BrokerResponse { Op = BrokerOp.MemAlloc, Value0 = region.Handle, Value1 = (ulong)a.Size }, null, memory.Handle);
        memory.CloseHandle();
    }

    /// <summary>Unmaps a region on a worker (a large munmap takes long enough to stall the loop); once it is gone,
    /// uncharges it and answers MEM_FREE, so that a client that has the answer can allocate the bytes again.</summary>
    private void Unmap(SharedMemoryRegion memory, UserAccount user, ClientConnection? replyTo) =>
        _unmaps.Add(new PendingUnmap(memory.Length, user, Task.Run(memory.Dispose), replyTo));

    private void MemMap(ClientConnection c, ulong handle, ulong address)
    {
        var response = new BrokerResponse { Op = BrokerOp.MemMap };
        if (!c.Process.Regions.TryGetValue(handle, out SharedRegion? region) || region.DomainHandle != 0)
        {
            Reply(c, response with { Status = BrokerStatus.BadHandle }, $"no unmapped region {handle} in this process's domain");
            return;
        }

        if (address == 0 || (address & (RingLayout.PageSize - 1)) != 0 || address + (ulong)region.Length < address)
        {
            Reply(c, response with { Status = BrokerStatus.BadAddress }, "the address must be page-aligned, non-null and not wrap");
            return;
        }

        region.DomainHandle = c.Process.Domain.Share(address, region.Length, region.Memory.Address);
        region.ClientAddress = address;
        Reply(c, response);
    }

    private void MemFree(ClientConnection c, ulong handle)
    {
        if (!c.Process.Regions.Remove(handle, out SharedRegion? region))
        {
            Reply(c, new BrokerResponse { Op = BrokerOp.MemFree, Status = BrokerStatus.BadHandle }, $"no region {handle} in this process's domain");
            return;
        }

        FreeRegion(c.Process, region, replyTo: c); // the reply says no engine uses the region any more
    }

    /// <summary>Takes a region out of its domain; once no engine can hold a pointer into it (a grace period),
    /// <see cref="CompletePending"/> unmaps it, returns the accounting and replies.</summary>
    private void FreeRegion(ClientProcess process, SharedRegion region, ClientConnection? replyTo)
    {
        GracePeriod? grace = region.DomainHandle != 0 ? process.Domain.BeginUnshare(region.DomainHandle) : null; // never mapped: nothing to wait for
        _frees.Add(new PendingFree(region, process.User, grace, replyTo));
    }

    private void Close(ClientConnection c)
    {
        if (c.Closed)
        {
            return;
        }

        c.Closed = true;
        _epoll.Remove(c.Socket.Handle);
        _connections.Remove(c.Id);
        if (c.WaitNode is not null)
        {
            c.Device.Waiters.Remove(c.WaitNode);
            c.WaitNode = null;
        }

        ReleaseQueue(c);
        c.Socket.Dispose();
        ClientProcess process = c.Process;
        process.Connections.Remove(c);
        process.User.Connections--;
        if (process.Connections.Count == 0)
        {
            // The domain lives as long as the process has a connection: its regions go with the last one.
            foreach (SharedRegion region in process.Regions.Values)
            {
                FreeRegion(process, region, replyTo: null);
            }

            process.Regions.Clear();
            _epoll.Remove(process.Pidfd);
            process.Dispose();
            _processes.Remove(process.Pid);
            process.User.Processes--;
            ForgetIfIdle(process.User);
        }
    }

    private void Reply(ClientConnection c, in BrokerResponse response, string? message = null, SafeHandle? fd = null)
    {
        Span<byte> buffer = stackalloc byte[BrokerProtocol.MaxDatagram];
        ReadOnlySpan<byte> datagram = Encode(response, message, buffer);
        if (!(fd is null ? c.Socket.TrySend(datagram) : c.Socket.TrySend(datagram, [fd])))
        {
            // The client does not read its replies: it can only hurt itself.
            throw new IOException("the client's receive buffer is full");
        }
    }

    private static ReadOnlySpan<byte> Encode(in BrokerResponse response, string? message, Span<byte> buffer)
    {
        BrokerResponse r = response;
        if (message is not null && r.Status == BrokerStatus.Ok)
        {
            r.Status = BrokerStatus.Internal;
        }

        MemoryMarshal.Write(buffer, in r);
        int length = BrokerResponse.Size;
        if (message is not null)
        {
            // As much as fits in MaxMessageBytes, cut between characters.
            _ = System.Text.Unicode.Utf8.FromUtf16(message, buffer.Slice(BrokerResponse.Size, BrokerResponse.MaxMessageBytes), out _, out int written);
            length += written;
        }

        return buffer[..length];
    }

    private void PublishAttributes(BrokerDevice device)
    {
        DeviceHost host = device.Host;
        string? strategy = _tree.ReadWritable(device.Name, DeviceAttributeNames.IsolateStrategy);
        if (strategy is "")
        {
            // `echo 5 > isolate_strategy` truncates before it writes: this may be the middle of an operator's write.
            // Publishing now would put the old value back over it. Wait a tick (publishing nothing meanwhile, but
            // staying dirty); an empty file after that is the operator's, refused like any other bad value.
            long now = Environment.TickCount64;
            device.EmptyStrategySince = device.EmptyStrategySince == 0 ? now : device.EmptyStrategySince;
            if (now - device.EmptyStrategySince < (long)s_tick.TotalMilliseconds)
            {
                Volatile.Write(ref _attributesDirty, 1);
                return;
            }
        }

        device.EmptyStrategySince = 0;
        if (strategy is not null && strategy != host.IsolateStrategy.ToString(CultureInfo.InvariantCulture))
        {
            if (int.TryParse(strategy, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value <= 1_000_000)
            {
                _logger.IsolateStrategyChanged(device.Name, host.IsolateStrategy, value);
                host.IsolateStrategy = value;
            }
            else
            {
                _logger.IsolateStrategyRejected(device.Name, strategy);
            }
        }

        _tree.Publish(device.Name, host.GetAttributes(), _writable);
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
        _metrics?.Dispose(); // before the devices it reads
        foreach (ClientConnection c in _connections.Values)
        {
            if (c.Queue is { } queue)
            {
                c.Device.Host.DisableQueue(queue.Id, QueueDisableReason.BrokerExit);
            }
        }

        foreach (ClientConnection c in _connections.Values.ToArray())
        {
            Close(c);
        }

        // Every queue was disabled above, so the engines leave them after the request they run.
        while (HasPending)
        {
            CompletePending();
            CompleteWorkerTasks();
            Thread.Sleep(1);
        }

        foreach (BrokerDevice device in _devices)
        {
            device.Dispose();
            TryDelete(device.SocketPath);
            _tree.Remove(device.Name);
        }

        _stats?.Dispose(); // after the devices: their engines counted in it
        _clientLog.Limiter.Flush(all: true); // the counts of lines suppressed in the last interval
        TryDelete(_pidFile);
        _epoll.Dispose();
        _lock.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
