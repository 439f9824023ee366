namespace WarpDrive.Devices;

/// <summary>Shape of a device: how many queues, how deep, how many engine threads.</summary>
public sealed class DeviceHostOptions
{
    /// <summary>Queues the device offers (uacce's <c>available_instances</c> when none is in use).</summary>
    public int QueueCount { get; init; } = 16;

    /// <summary>Ring depth of every queue (power of two).</summary>
    public int QueueDepth { get; init; } = 256;

    /// <summary>Engine threads that poll the queues; queue <c>i</c> is served by engine <c>i % EngineCount</c>.</summary>
    public int EngineCount { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 4);

    /// <summary>Stream contexts one queue may hold.</summary>
    public int MaxStreamsPerQueue { get; init; } = 32;

    /// <summary>How long an idle engine polls before it sleeps on its doorbell.</summary>
    public TimeSpan SpinBeforeSleep { get; init; } = TimeSpan.FromMicroseconds(50);

    /// <summary>Longest an idle engine sleeps without a doorbell: it bounds the delay a lost wake-up could cause.</summary>
    public TimeSpan IdleSleepTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>NUMA node reported as <c>numa_node</c>.</summary>
    public int NumaNode { get; init; } = -1;
}
