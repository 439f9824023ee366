using Microsoft.Extensions.Logging;
using WarpDrive.Abi;

namespace WarpDrive.Broker;

/// <summary>The broker's log messages (source-generated: no formatting work when a level is off), numbered so that
/// an operator can filter on the event id.</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(1, LogLevel.Information, "wdd {Pid} serving {Count} device(s) in {RunDirectory}")]
    public static partial void Serving(this ILogger logger, int pid, int count, string runDirectory);

    [LoggerMessage(2, LogLevel.Information, "wdd {Pid} stopped")]
    public static partial void Stopped(this ILogger logger, int pid);

    [LoggerMessage(3, LogLevel.Information, "{Device}: {Queues} queues x depth {Depth}, engine threads: {Engines}, on {Engine}, flags {Flags}, socket {Socket}")]
    public static partial void DeviceStarted(this ILogger logger, string device, int queues, int depth, int engines, string engine, DeviceFlags flags, string socket);

    [LoggerMessage(4, LogLevel.Warning, "{Device}: queue {Queue} disabled: {Reason} ({Errors} invalid descriptors)")]
    public static partial void QueueDisabled(this ILogger logger, string device, int queue, QueueDisableReason reason, int errors);

    [LoggerMessage(5, LogLevel.Error, "{Device}: isolated after {Faults} device faults (isolate_strategy {Strategy}/hour); last: {Fault}")]
    public static partial void DeviceIsolated(this ILogger logger, string device, int faults, int strategy, string? fault);

    [LoggerMessage(6, LogLevel.Information, "client {Pid} exited: releasing {Count} connection(s)")]
    public static partial void ClientExited(this ILogger logger, int pid, int count);

    [LoggerMessage(7, LogLevel.Warning, "client {Pid} on {Device}: {Error}; closing the connection")]
    public static partial void ClientFailed(this ILogger logger, int pid, string device, string error);

    [LoggerMessage(8, LogLevel.Warning, "{Device}: refusing a connection of pid {Pid}: {Refusal} ({Count} refused since the last such line, at most one a 10 s)")]
    public static partial void TooManyClients(this ILogger logger, string device, int pid, string refusal, long count);

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
}
