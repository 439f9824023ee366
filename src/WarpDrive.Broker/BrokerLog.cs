using Microsoft.Extensions.Logging;
using WarpDrive.Abi;

namespace WarpDrive.Broker;

/// <summary>The broker's log messages (source-generated: no formatting work when a level is off).</summary>
internal static partial class BrokerLog
{
    [LoggerMessage(LogLevel.Information, "wdd {Pid} serving {Count} device(s) in {RunDirectory}")]
    public static partial void Serving(this ILogger logger, int pid, int count, string runDirectory);

    [LoggerMessage(LogLevel.Information, "wdd {Pid} stopped")]
    public static partial void Stopped(this ILogger logger, int pid);

    [LoggerMessage(LogLevel.Information, "{Device}: {Queues} queues x depth {Depth}, {Engines} engines on {Engine}, flags {Flags}, socket {Socket}")]
    public static partial void DeviceStarted(this ILogger logger, string device, int queues, int depth, int engines, string engine, DeviceFlags flags, string socket);

    [LoggerMessage(LogLevel.Warning, "{Device}: queue {Queue} disabled: {Reason} ({Errors} invalid descriptors)")]
    public static partial void QueueDisabled(this ILogger logger, string device, int queue, QueueDisableReason reason, int errors);

    [LoggerMessage(LogLevel.Error, "{Device}: isolated after {Faults} device faults (isolate_strategy {Strategy}/hour); last: {Fault}")]
    public static partial void DeviceIsolated(this ILogger logger, string device, int faults, int strategy, string? fault);

    [LoggerMessage(LogLevel.Information, "client {Pid} exited: releasing {Count} connection(s)")]
    public static partial void ClientExited(this ILogger logger, int pid, int count);

    [LoggerMessage(LogLevel.Warning, "client {Pid} on {Device}: {Error}; closing the connection")]
    public static partial void ClientFailed(this ILogger logger, int pid, string device, string error);

    [LoggerMessage(LogLevel.Warning, "{Device}: refusing pid {Pid}: max_clients ({Max}) reached")]
    public static partial void TooManyClients(this ILogger logger, string device, int pid, int max);

    [LoggerMessage(LogLevel.Information, "{Device}: dropped a connection at accept: {Error}")]
    public static partial void AcceptFailed(this ILogger logger, string device, string error);

    [LoggerMessage(LogLevel.Warning, "client {Pid}: cannot hand over a queue: {Error}")]
    public static partial void HandOverFailed(this ILogger logger, int pid, string error);

    [LoggerMessage(LogLevel.Information, "{Device}: isolate_strategy {Old} -> {New} errors per hour")]
    public static partial void IsolateStrategyChanged(this ILogger logger, string device, int old, int @new);

    [LoggerMessage(LogLevel.Warning, "{Device}: ignoring isolate_strategy '{Value}': not a number of errors per hour in 0..1000000")]
    public static partial void IsolateStrategyRejected(this ILogger logger, string device, string value);
}
