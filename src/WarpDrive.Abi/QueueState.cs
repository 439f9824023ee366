namespace WarpDrive.Abi;

/// <summary>The queue's status word (region offset 0x80), written by the device side only.
/// The driver checks it before each doorbell.</summary>
public enum QueueState : uint
{
    /// <summary>Allocated but not started.</summary>
    Idle = 0,

    /// <summary>Started: the device serves the queue.</summary>
    Started = 1,

    /// <summary>Disabled by the device (isolation, repeated errors, reset, broker exit). Requests are not served.</summary>
    Disabled = 2,

    /// <summary>Released by its owner; the region is about to be reclaimed.</summary>
    Released = 3,
}
