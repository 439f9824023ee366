using WarpDrive.Devices;

namespace WarpDrive;

/// <summary>Shape of the in-process (embedded) devices a <see cref="WdRuntime"/> starts when no other device is
/// present: queues, ring depth, workers (<see cref="WdRuntimeOptions.EmbeddedDeviceOptions"/>).</summary>
public sealed class WdEmbeddedDeviceOptions
{
    private static readonly DeviceHostOptions s_defaults = new();

    /// <summary>Queues each device offers. Default 16.</summary>
    public int QueueCount { get; init; } = s_defaults.QueueCount;

    /// <summary>Ring depth of every queue (a power of two, 2..4096). Default 256.</summary>
    public int QueueDepth { get; init; } = s_defaults.QueueDepth;

    /// <summary>Workers (device host threads that serve the queues) per device; queue <c>i</c> is served by worker <c>i % WorkerCount</c>. Default half the
    /// cores, 1..4.</summary>
    public int WorkerCount { get; init; } = s_defaults.WorkerCount;

    /// <summary>Stream contexts one queue may hold. Default 32.</summary>
    public int MaxStreamsPerQueue { get; init; } = s_defaults.MaxStreamsPerQueue;

    /// <summary>How long an idle worker polls before it sleeps on its doorbell. Default 50 µs.</summary>
    public TimeSpan SpinBeforeSleep { get; init; } = s_defaults.SpinBeforeSleep;

    /// <summary>Longest an idle worker sleeps without a doorbell (it bounds the delay of a lost wake-up). Default 100 ms.</summary>
    public TimeSpan IdleSleepTimeout { get; init; } = s_defaults.IdleSleepTimeout;

    /// <summary>Invalid descriptors a queue may produce before the device disables it; 0 (the default) never disables:
    /// in-process, the client is the process itself.</summary>
    public int QueueErrorThreshold { get; init; } = s_defaults.QueueErrorThreshold;

    /// <summary>No workers: each queue served by the thread that submits to it (tests and fuzzing; Mix mode
    /// makes its own inline devices).</summary>
    internal bool Inline { get; init; }

    /// <summary>The device host's options (the Devices layer's type, which libwd's public API does not name).</summary>
    internal DeviceHostOptions ToHostOptions(bool inline = false) => new()
    {
        QueueCount = QueueCount,
        QueueDepth = QueueDepth,
        WorkerCount = WorkerCount,
        MaxStreamsPerQueue = MaxStreamsPerQueue,
        SpinBeforeSleep = SpinBeforeSleep,
        IdleSleepTimeout = IdleSleepTimeout,
        QueueErrorThreshold = QueueErrorThreshold,
        Inline = inline || Inline,
    };
}
