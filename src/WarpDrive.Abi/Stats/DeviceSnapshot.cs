namespace WarpDrive.Abi.Stats;

/// <summary>One device and its queues as a reader saw them in a stats file.</summary>
public sealed record DeviceSnapshot
{
    /// <summary>Device name.</summary>
    public required string Name { get; init; }

    /// <summary>The <c>algorithms</c> attribute.</summary>
    public required string Algorithms { get; init; }

    /// <summary>The <c>engine</c> attribute; empty when the device has none.</summary>
    public required string Engine { get; init; }

    /// <summary>Workers: the device host threads that serve the queues.</summary>
    public required int Workers { get; init; }

    /// <summary>Ring depth of every queue.</summary>
    public required int QueueDepth { get; init; }

    /// <summary>The memory models it offers.</summary>
    public required DeviceFlags Flags { get; init; }

    /// <summary>Whether the device has isolated itself.</summary>
    public required bool IsIsolated { get; init; }

    /// <summary>Device faults (those that count against <c>isolate_strategy</c>) since it started.</summary>
    public required ulong FaultCount { get; init; }

    /// <summary>Requests whose execution failed inside the device since it started (INTERNAL_ERROR completions that
    /// are not device faults); 0 from a publisher that predates the field.</summary>
    public ulong RequestFailures { get; init; }

    /// <summary>Its queues, by id.</summary>
    public required IReadOnlyList<QueueSnapshot> Queues { get; init; }
}
