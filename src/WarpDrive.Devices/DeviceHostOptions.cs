using WarpDrive.Abi;

namespace WarpDrive.Devices;

/// <summary>Shape of a device: how many queues, how deep, how many workers.</summary>
public sealed class DeviceHostOptions
{
    /// <summary>Queues the device offers (uacce's <c>available_instances</c> when none is in use).</summary>
    public int QueueCount { get; init; } = 16;

    /// <summary>Ring depth of every queue (power of two).</summary>
    public int QueueDepth { get; init; } = 256;

    /// <summary>Workers (device host threads) that poll the queues; queue <c>i</c> is served by worker <c>i % WorkerCount</c>.</summary>
    public int WorkerCount { get; init; } = Math.Clamp(Environment.ProcessorCount / 2, 1, 4);

    /// <summary>Stream contexts one queue may hold.</summary>
    public int MaxStreamsPerQueue { get; init; } = 32;

    /// <summary>How long an idle worker polls before it sleeps on its doorbell.</summary>
    public TimeSpan SpinBeforeSleep { get; init; } = TimeSpan.FromMicroseconds(50);

    /// <summary>Longest an idle worker sleeps without a doorbell: it bounds the delay a lost wake-up could cause.</summary>
    public TimeSpan IdleSleepTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>NUMA node reported as <c>numa_node</c>.</summary>
    public int NumaNode { get; init; } = -1;

    /// <summary>The memory models the device offers (<c>flags</c>): null for the model's own (in-process: SVA).
    /// A broker device may offer SVA (the worker copies the client's memory in and out), SHARE (regions the broker
    /// made, zero copy) or both.</summary>
    public DeviceFlags? Flags { get; init; }

    /// <summary>Invalid descriptors (BAD_REQUEST, ADDRESS_FAULT) a queue may produce before the device disables it;
    /// 0 never disables (in-process, where the client is the process itself).</summary>
    public int QueueErrorThreshold { get; init; }

    /// <summary>Most input bytes one request of a client in another process (a broker client) may name, and most
    /// output it may produce: it bounds how long one request holds a worker and the SVA staging buffers. More
    /// input is BAD_REQUEST; a larger destination is used up to this size (a stream request then ends OUT_OF_SPACE
    /// and resumes). In-process requests are not limited.</summary>
    public long MaxRequestBytes { get; init; } = 64L << 20;

    /// <summary>Device faults (INTERNAL_ERROR completions) per hour beyond which the device isolates itself;
    /// 0 never isolates. The initial value of <see cref="DeviceHost.IsolateStrategy"/>.</summary>
    public int IsolateStrategy { get; init; }

    /// <summary>No workers: each queue is served by the thread that submits to it, through
    /// <see cref="DeviceHost.ServeInline"/> (Mix mode's inline path: the device's code in the caller's thread).
    /// <see cref="WorkerCount"/> is ignored.</summary>
    public bool Inline { get; init; }

    /// <summary>Worker time a tenant (a user) gets per turn, times its weight, while other tenants wait: the workers
    /// share their time by deficit round robin on measured time (<see cref="DeviceTenant"/>).</summary>
    public TimeSpan WorkerQuantum { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Most input bytes a request may name (its output room counts a quarter) and still run on a
    /// worker; a larger one runs on the device's bulk lane, so that it cannot hold the worker for other queues.
    /// 0 runs everything on the workers. Inline devices have no bulk lane.</summary>
    public long BulkThresholdBytes { get; init; } = 256 << 10;

    /// <summary>Debugging aid: every Nth request fails as a device fault (0 = off), to exercise isolation.</summary>
    public int FaultInjectionInterval { get; init; }

    /// <summary>Throws when these options cannot shape a device (checked when a host starts, and by a process that
    /// starts its hosts on first use, before it lists them).</summary>
    /// <exception cref="ArgumentException">A depth that is not a power of two in [2, 4096], or a count, size or
    /// interval out of its range.</exception>
    public void Validate()
    {
        if (!RingLayout.IsValidDepth(QueueDepth))
        {
            throw new ArgumentException("QueueDepth must be a power of two in [2, 4096]", nameof(QueueDepth));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(QueueCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(WorkerCount);
        ArgumentOutOfRangeException.ThrowIfNegative(QueueErrorThreshold);
        ArgumentOutOfRangeException.ThrowIfNegative(FaultInjectionInterval);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRequestBytes, RingLayout.PageSize);
        ArgumentOutOfRangeException.ThrowIfNegative(BulkThresholdBytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(WorkerQuantum, TimeSpan.Zero);
    }
}
