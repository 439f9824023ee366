namespace WarpDrive.Kubernetes;

/// <summary>Where a device is reached: through the node's broker <c>wdd</c> (its socket under the run directory), or
/// as a kernel uacce device (its <c>/dev</c> node).</summary>
public enum DeviceSource
{
    /// <summary>A device of the node's broker.</summary>
    Broker,

    /// <summary>A kernel uacce device (<c>/sys/class/uacce</c>, <c>/dev/&lt;name&gt;</c>).</summary>
    Kernel,
}

/// <summary>One device of the node as the plugin last saw it.</summary>
public sealed record NodeDevice
{
    /// <summary>Its name (<c>zip-0</c>, <c>hisi_zip-0</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Its kind (<see cref="DeviceKinds"/>).</summary>
    public required string Kind { get; init; }

    /// <summary>How it is reached.</summary>
    public required DeviceSource Source { get; init; }

    /// <summary>Its queues: the broker's count, or the most <c>available_instances</c> a kernel device has shown.</summary>
    public required int Queues { get; init; }

    /// <summary>Its free queues (<c>available_instances</c>).</summary>
    public required int Available { get; init; }

    /// <summary>NUMA node (-1 when unknown).</summary>
    public int NumaNode { get; init; } = -1;

    /// <summary>Why it cannot serve now (the broker is gone, it is isolated, its engine faulted, its node is gone),
    /// or null when it is healthy.</summary>
    public string? Unhealthy { get; init; }

    /// <summary>A kernel device's sysfs directory, its link resolved (null for a broker device).</summary>
    public string? SysfsDirectory { get; init; }

    /// <summary>A kernel device's node (<c>/dev/hisi_zip-0</c>; null for a broker device).</summary>
    public string? DeviceNode { get; init; }
}

/// <summary>The node as one scan saw it: the broker's pid when one runs, and the devices.</summary>
/// <param name="BrokerPid">The running broker's pid (its <c>wdd.pid</c>), or null when none runs.</param>
/// <param name="Devices">Every device of a known kind, broker and kernel.</param>
public sealed record NodeSnapshot(int? BrokerPid, IReadOnlyList<NodeDevice> Devices);
