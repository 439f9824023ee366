namespace WarpDrive.Abi.Stats;

/// <summary>One queue's counters as a reader saw them (a copy of its <see cref="QueueStatsRecord"/>).</summary>
public sealed record QueueSnapshot
{
    /// <summary>Queue id within its device.</summary>
    public required int Id { get; init; }

    /// <summary>Whether it is free, started, disabled or being released.</summary>
    public required QueueStatsState State { get; init; }

    /// <summary>The owner's pid while the queue is in use; 0 when free.</summary>
    public required int OwnerPid { get; init; }

    /// <summary>The owner's user id while the queue is in use.</summary>
    public uint OwnerUid { get; init; }

    /// <summary>The owner's scheduling weight while the queue is in use; 0 when free.</summary>
    public uint Weight { get; init; }

    /// <summary>The owner's cap on its share of an engine, in percent (100: none); 0 when free.</summary>
    public uint MaxSharePercent { get; init; }

    /// <summary>Engine time spent on the queue's requests, in nanoseconds (<see cref="QueueStatsRecord.BusyNanos"/>).</summary>
    public ulong BusyNanos { get; init; }

    /// <summary>SQEs the engine has taken from the ring.</summary>
    public required ulong Submitted { get; init; }

    /// <summary>CQEs the engine has posted.</summary>
    public required ulong Completed { get; init; }

    /// <summary>Error completions (neither OK nor OUT_OF_SPACE).</summary>
    public required ulong Errors { get; init; }

    /// <summary>Input bytes the completed requests took (data-list requests: see <see cref="QueueStatsRecord.BytesIn"/>).</summary>
    public required ulong BytesIn { get; init; }

    /// <summary>Bytes the completions reported as produced.</summary>
    public required ulong BytesOut { get; init; }

    /// <summary>SQEs waiting in the ring when the engine last ended a batch.</summary>
    public required uint Waiting { get; init; }

    /// <summary>Requests outstanding at the device: <see cref="Waiting"/> plus the one the engine runs, if any
    /// (<see cref="Submitted"/> - <see cref="Completed"/>).</summary>
    public ulong Depth => Waiting + (Submitted >= Completed ? Submitted - Completed : 0);
}
