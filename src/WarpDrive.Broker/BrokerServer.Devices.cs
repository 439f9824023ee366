using Microsoft.Extensions.Logging;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Broker.Configuration;
using WarpDrive.Devices;
using WarpDrive.Devices.Engines;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>The composition root's set-up glue: the run directory and its lock, the stats file, and each device
/// (its host, its listening socket, its engine events wired to the log and the attribute tree).</summary>
public sealed partial class BrokerServer
{
    /// <summary>Creates the run directory's tree and takes its lock (flock).</summary>
    private static FileStream LockRunDirectory(string runDirectory, string classDir)
    {
        try
        {
            CreateDirectory(runDirectory);
            CreateDirectory(Path.Combine(runDirectory, "dev"));
            CreateDirectory(classDir);
            // The allocation files name their tokens: only the broker's user (and the device plugin, as root) reads them.
            Directory.CreateDirectory(Platform.RunDirectory.AllocationDirectory(runDirectory), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BrokerException($"run directory {runDirectory}: {e.Message}", e);
        }

        string lockPath = Path.Combine(runDirectory, "wdd.lock");
        try
        {
            // .NET locks a FileShare.None file with flock on Unix: a second broker on this directory fails here.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (File.Exists(lockPath))
        {
            throw new BrokerException($"run directory {runDirectory}: another wdd holds {lockPath} ({e.Message})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BrokerException($"run directory {runDirectory}: {e.Message}", e);
        }
    }

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

    private void StartDevice(DeviceConfig config)
    {
        // A library the configuration names but this machine lacks is a configuration error (exit 6).
        DeflateEngine engine = Resolve(config, "engine", () => DeflateEngine.FromName(config.Engine));
        ZstdEngine zstd = Resolve(config, "zstd_engine", () => ZstdEngine.FromName(config.ZstdEngine));
        Lz4Engine lz4 = Resolve(config, "lz4_engine", () => Lz4Engine.FromName(config.Lz4Engine));
        DeviceFlags flags = ((config.Memory & DeviceMemoryModes.Sva) != 0 ? DeviceFlags.Sva : 0)
                            | ((config.Memory & DeviceMemoryModes.Share) != 0 ? DeviceFlags.Share : 0);
        DeviceHost host = CreateHost(config, DeviceCatalog.Create(config.Model, config.Name, engine, zstd, lz4), flags);
        string socketPath = Platform.RunDirectory.DeviceSocket(RunDirectory, config.Name);
        UnixSeqPacketSocket listener = Listen(config, socketPath, host);
        var device = new BrokerDevice(config, host, listener, socketPath);
        _devices.Add(device);
        WireEvents(host);
        device.Token = EpollTokens.Device(_devices.Count - 1);
        _epoll.Add(listener.Handle, EpollEvents.In, device.Token);
        _attributes.Publish(device);
        _logger.DeviceStarted(config.Name, config.Queues, config.QueueDepth, host.Options.WorkerCount, DeviceCatalog.DescribeEngine(host.Model), flags, socketPath);
    }

    private static T Resolve<T>(DeviceConfig config, string key, Func<T> fromName)
    {
        try
        {
            return fromName();
        }
        catch (InvalidOperationException e)
        {
            throw new BrokerException($"device {config.Name}: {key}: {e.Message}", e) { IsConfigurationError = true };
        }
    }

    private DeviceHost CreateHost(DeviceConfig config, DeviceModel model, DeviceFlags flags)
    {
        return new DeviceHost(model, new DeviceHostOptions
        {
            QueueCount = config.Queues,
            QueueDepth = config.QueueDepth,
            WorkerCount = config.Workers,
            MaxStreamsPerQueue = config.MaxStreamsPerQueue,
            NumaNode = config.NumaNode,
            Flags = flags,
            QueueErrorThreshold = _config.Limits.QueueErrorThreshold,
            MaxRequestBytes = _config.Limits.MaxRequestBytes,
            WorkerQuantum = TimeSpan.FromMicroseconds(_config.Scheduling.QuantumMicroseconds),
            BulkThresholdBytes = _config.Scheduling.BulkThresholdBytes,
            IsolateStrategy = config.IsolateStrategy,
            FaultInjectionInterval = config.FaultInjection,
        }, _stats);
    }

    /// <summary>Listens on the device's socket; on failure disposes <paramref name="host"/> (not a device yet:
    /// Dispose would not know to remove its socket).</summary>
    private static UnixSeqPacketSocket Listen(DeviceConfig config, string socketPath, DeviceHost host)
    {
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

            return listener;
        }
        catch (Exception e) when (e is IOException or ArgumentException)
        {
            listener?.Dispose();
            TryDelete(socketPath);
            host.Dispose();
            throw e is ArgumentException
                ? new BrokerException($"device {config.Name}: socket_group: {e.Message}", e) { IsConfigurationError = true }
                : new BrokerException($"device {config.Name}: cannot listen on {socketPath}: {e.Message}", e);
        }
    }

    /// <summary>The engines' events, on their threads: rate-limited log lines and a dirty attribute tree.</summary>
    private void WireEvents(DeviceHost host)
    {
        host.QueueDisabled += (queue, reason) =>
        {
            _clientLog.QueueDisabled(host.Name, queue.Tenant.Uid, queue.Id, reason, queue.DescriptorErrors);
            _attributes.MarkDirty();
        };
        host.RequestFailed += (queue, e) => _clientLog.RequestFailed(host.Name, queue.Tenant.Uid, queue.Id, $"{e.GetType().Name}: {e.Message}");
        host.Isolated += h =>
        {
            _logger.DeviceIsolated(h.Name, h.FaultCount, h.IsolateStrategy, h.LastFault);
            _attributes.MarkDirty();
        };
    }
}
