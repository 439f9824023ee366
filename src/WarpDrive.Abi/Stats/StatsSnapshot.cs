namespace WarpDrive.Abi.Stats;

/// <summary>What one stats file held when it was read: the publishing process and its devices.</summary>
public sealed record StatsSnapshot
{
    /// <summary>The publishing process.</summary>
    public required int Pid { get; init; }

    /// <summary>Its start time (clock ticks since boot, <c>/proc/PID/stat</c> field 22).</summary>
    public required ulong StartTime { get; init; }

    /// <summary>The broker or an in-process host.</summary>
    public required StatsPublisher Publisher { get; init; }

    /// <summary>Its devices, in publication order.</summary>
    public required IReadOnlyList<DeviceSnapshot> Devices { get; init; }
}
