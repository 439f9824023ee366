namespace WarpDrive.Abi.Stats;

/// <summary>A queue's state as the device host sees it (<see cref="QueueStatsRecord.State"/>); unlike the ring's
/// status word, which the owner can overwrite, the host alone writes it.</summary>
public enum QueueStatsState : uint
{
    /// <summary>Not in use: counted in <c>available_instances</c>.</summary>
    Free = 0,

    /// <summary>Started for an owner: the engine serves it.</summary>
    Started = 1,

    /// <summary>Disabled by the device (too many errors, ring violation, isolation, broker exit); still owned.</summary>
    Disabled = 2,

    /// <summary>Being released: the engine takes no further request, the host waits for it to leave.</summary>
    Releasing = 3,
}
