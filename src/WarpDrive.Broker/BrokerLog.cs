using Microsoft.Extensions.Logging;
using WarpDrive.Abi;

namespace WarpDrive.Broker;

/// <summary>The broker's log messages (source-generated: no formatting work when a level is off), numbered so that
/// an operator can filter on the event id. The ones a client can cause are written through <see cref="ClientLog"/>,
/// which rate limits them.</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(1, LogLevel.Information, "wdd {Pid} serving {Count} device(s) in {RunDirectory}")]
    public static partial void Serving(this ILogger logger, int pid, int count, string runDirectory);

    [LoggerMessage(2, LogLevel.Information, "wdd {Pid} stopped")]
    public static partial void Stopped(this ILogger logger, int pid);

    [LoggerMessage(3, LogLevel.Information, "{Device}: {Queues} queues x depth {Depth}, workers: {Workers}, on {Engine}, flags {Flags}, socket {Socket}")]
    public static partial void DeviceStarted(this ILogger logger, string device, int queues, int depth, int workers, string engine, DeviceFlags flags, string socket);

    [LoggerMessage(20, LogLevel.Warning, "wdd.json: devices {Devices}: the key 'engines' is deprecated: it is 'workers' now (the same value: threads that serve the queues)")]
    public static partial void DeprecatedEnginesKey(this ILogger logger, string devices);

    [LoggerMessage(4, LogLevel.Warning, "{Device}: queue {Queue} disabled: {Reason} ({Errors} invalid descriptors)")]
    public static partial void QueueDisabled(this ILogger logger, string device, int queue, QueueDisableReason reason, int errors);

    [LoggerMessage(5, LogLevel.Error, "{Device}: isolated after {Faults} device faults (isolate_strategy {Strategy}/hour); last: {Fault}")]
    public static partial void DeviceIsolated(this ILogger logger, string device, int faults, int strategy, string? fault);

    [LoggerMessage(6, LogLevel.Information, "client {Pid} ({Command}, uid {Uid}) exited: its connections, queues and regions are released")]
    public static partial void ClientExited(this ILogger logger, int pid, string command, uint uid);

    [LoggerMessage(18, LogLevel.Information, "client {Pid} ({Command}, uid {Uid}) connected to {Device}")]
    public static partial void ClientArrived(this ILogger logger, int pid, string command, uint uid, string device);

    [LoggerMessage(19, LogLevel.Information, "client {Pid} ({Command}, uid {Uid}) closed its last connection and lives on")]
    public static partial void ClientLeft(this ILogger logger, int pid, string command, uint uid);

    [LoggerMessage(7, LogLevel.Warning, "client {Pid} on {Device}: {Error}; closing the connection")]
    public static partial void ClientFailed(this ILogger logger, int pid, string device, string error);

    [LoggerMessage(8, LogLevel.Warning, "{Device}: refusing a connection of pid {Pid}: {Refusal}")]
    public static partial void TooManyClients(this ILogger logger, string device, int pid, string refusal);

    [LoggerMessage(9, LogLevel.Information, "{Device}: dropped a connection at accept: {Error}")]
    public static partial void AcceptFailed(this ILogger logger, string device, string error);

    [LoggerMessage(10, LogLevel.Warning, "client {Pid}: cannot hand over a queue: {Error}")]
    public static partial void HandOverFailed(this ILogger logger, int pid, string error);

    [LoggerMessage(11, LogLevel.Information, "{Device}: isolate_strategy {Old} -> {New} errors per hour")]
    public static partial void IsolateStrategyChanged(this ILogger logger, string device, int old, int @new);

    [LoggerMessage(12, LogLevel.Warning, "{Device}: ignoring isolate_strategy '{Value}': not a number of errors per hour in 0..1000000")]
    public static partial void IsolateStrategyRejected(this ILogger logger, string device, string value);

    [LoggerMessage(13, LogLevel.Information, "publishing counters in {Path} (wd top reads them; WD_STATS=0 turns this off)")]
    public static partial void StatsPublished(this ILogger logger, string path);

    [LoggerMessage(14, LogLevel.Warning, "not publishing counters for wd top: {Error}")]
    public static partial void StatsUnavailable(this ILogger logger, string error);

    [LoggerMessage(15, LogLevel.Warning, "cannot notify the service manager on NOTIFY_SOCKET '{Socket}': {Error}")]
    public static partial void NotifyFailed(this ILogger logger, string socket, string error);

    [LoggerMessage(17, LogLevel.Warning, "{Device}: a request of queue {Queue} (uid {Uid}) failed inside the device model: {Error} (INTERNAL_ERROR to that request; not a device fault)")]
    public static partial void RequestFailed(this ILogger logger, string device, int queue, uint uid, string error);

    [LoggerMessage(16, LogLevel.Warning, "suppressed {Count} more '{Event}' line(s){Scope}: at most {Lines} of a kind are written per {Seconds} s")]
    public static partial void Suppressed(this ILogger logger, long count, string @event, string scope, int lines, long seconds);
}

/// <summary>What one kind of line a client can cause is counted under: the event and the uid it is charged to
/// (<see cref="NoUid"/> where none is known), so that one user's flood never hides another user's lines.</summary>
internal readonly record struct LogKey(int EventId, string Event, uint Uid)
{
    public const uint NoUid = uint.MaxValue;
}

/// <summary>Rate limits the log lines that clients can cause (connection churn, refusals, failures): per
/// <see cref="LogKey"/>, the first <see cref="LinesPerInterval"/> lines of an interval are written; the rest are
/// counted, and once the interval is over one line says how many were suppressed. A flood of K lines in an interval
/// thus costs at most <see cref="LinesPerInterval"/> + 1 lines. Thread-safe (the workers report queue
/// disables); the clock is injected (milliseconds, monotonic) so that a test needs no sleeps.</summary>
internal sealed class LogRateLimiter(int linesPerInterval, long intervalMilliseconds, Func<long> clock, Action<LogKey, long> reportSuppressed)
{
    /// <summary>Lines of one key the broker writes per interval by default.</summary>
    public const int DefaultLinesPerInterval = 5;

    /// <summary>The broker's interval, milliseconds.</summary>
    public const long DefaultIntervalMilliseconds = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<LogKey, Window> _windows = [];

    public int LinesPerInterval => linesPerInterval;

    public long IntervalMilliseconds => intervalMilliseconds;

    /// <summary>Keys with an interval under way (each is forgotten at the first <see cref="Flush"/> after its
    /// interval, so the table holds only recent kinds).</summary>
    public int TrackedKeys
    {
        get
        {
            lock (_lock)
            {
                return _windows.Count;
            }
        }
    }

    /// <summary>Whether to write a line of <paramref name="key"/> now; false counts it as suppressed. A call after
    /// the key's interval reports that interval's suppressed lines first and begins a new one.</summary>
    public bool ShouldLog(LogKey key)
    {
        long suppressed = 0;
        bool log;
        lock (_lock)
        {
            long now = clock();
            if (_windows.TryGetValue(key, out Window? w) && now - w.Start >= intervalMilliseconds)
            {
                suppressed = w.Suppressed;
                _windows.Remove(key);
                w = null;
            }

            if (w is null)
            {
                w = new Window { Start = now };
                _windows.Add(key, w);
            }

            log = w.Logged < linesPerInterval;
            if (log)
            {
                w.Logged++;
            }
            else
            {
                w.Suppressed++;
            }
        }

        if (suppressed > 0)
        {
            reportSuppressed(key, suppressed);
        }

        return log;
    }

    /// <summary>Ends every interval that is over (with <paramref name="all"/>, every interval: the broker is
    /// stopping): reports its suppressed lines (if any) and forgets the key. The broker calls it on its tick, so that
    /// the count of a flood that stopped is still written.</summary>
    public void Flush(bool all = false)
    {
        List<(LogKey, long)>? due = null;
        lock (_lock)
        {
            long now = clock();
            foreach ((LogKey key, Window w) in _windows)
            {
                if (all || now - w.Start >= intervalMilliseconds)
                {
                    (due ??= []).Add((key, w.Suppressed));
                }
            }

            foreach ((LogKey key, _) in due ?? [])
            {
                _windows.Remove(key);
            }
        }

        foreach ((LogKey key, long suppressed) in due ?? [])
        {
            if (suppressed > 0)
            {
                reportSuppressed(key, suppressed);
            }
        }
    }

    private sealed class Window
    {
        public long Start;
        public int Logged;
        public long Suppressed;
    }
}

/// <summary>The broker's lines that a client can cause, each through the <see cref="LogRateLimiter"/>: a client
/// that churns connections, is refused in a loop or fails on purpose costs the log a few lines per interval and one
/// count, never a line per attempt.</summary>
internal sealed class ClientLog
{
    private readonly ILogger _logger;

    public ClientLog(ILogger logger, Func<long>? clock = null)
    {
        _logger = logger;
        Limiter = new LogRateLimiter(LogRateLimiter.DefaultLinesPerInterval, LogRateLimiter.DefaultIntervalMilliseconds,
            clock ?? (() => Environment.TickCount64), Report);
    }

    public LogRateLimiter Limiter { get; }

    public void ClientExited(uint uid, int pid, string command)
    {
        if (Limiter.ShouldLog(new LogKey(6, "client exited", uid)))
        {
            _logger.ClientExited(pid, command, uid);
        }
    }

    /// <summary>A process's first connection (its later ones, to this or other devices, are not logged).</summary>
    public void ClientArrived(uint uid, int pid, string command, string device)
    {
        if (Limiter.ShouldLog(new LogKey(18, "client connected", uid)))
        {
            _logger.ClientArrived(pid, command, uid, device);
        }
    }

    public void ClientLeft(uint uid, int pid, string command)
    {
        if (Limiter.ShouldLog(new LogKey(19, "client left", uid)))
        {
            _logger.ClientLeft(pid, command, uid);
        }
    }

    public void ClientFailed(uint uid, int pid, string device, string error)
    {
        if (Limiter.ShouldLog(new LogKey(7, "client failed", uid)))
        {
            _logger.ClientFailed(pid, device, error);
        }
    }

    public void TooManyClients(uint uid, string device, int pid, string refusal)
    {
        if (Limiter.ShouldLog(new LogKey(8, "refusing a connection", uid)))
        {
            _logger.TooManyClients(device, pid, refusal);
        }
    }

    public void AcceptFailed(string device, string error)
    {
        if (Limiter.ShouldLog(new LogKey(9, "dropped a connection at accept", LogKey.NoUid)))
        {
            _logger.AcceptFailed(device, error);
        }
    }

    public void HandOverFailed(uint uid, int pid, string error)
    {
        if (Limiter.ShouldLog(new LogKey(10, "cannot hand over a queue", uid)))
        {
            _logger.HandOverFailed(pid, error);
        }
    }

    /// <summary>On a worker; keyed by the queue's owner (its tenant's uid).</summary>
    public void QueueDisabled(string device, uint uid, int queue, QueueDisableReason reason, int errors)
    {
        if (Limiter.ShouldLog(new LogKey(4, $"queue disabled on {device}", uid)))
        {
            _logger.QueueDisabled(device, queue, reason, errors);
        }
    }

    /// <summary>On a worker: a client can make its requests fail as often as it likes.</summary>
    public void RequestFailed(string device, uint uid, int queue, string error)
    {
        if (Limiter.ShouldLog(new LogKey(17, $"request failed on {device}", uid)))
        {
            _logger.RequestFailed(device, queue, uid, error);
        }
    }

    private void Report(LogKey key, long count) =>
        _logger.Suppressed(count, key.Event, key.Uid == LogKey.NoUid ? "" : $" of uid {key.Uid}",
            Limiter.LinesPerInterval, Limiter.IntervalMilliseconds / 1000);
}
