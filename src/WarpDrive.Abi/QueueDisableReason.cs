namespace WarpDrive.Abi;

/// <summary>Why the device disabled a queue: the <c>disable_reason</c> word beside the status word.</summary>
public enum QueueDisableReason : uint
{
    /// <summary>Not disabled.</summary>
    None = 0,

    /// <summary>An operator or the host disabled the queue (reset, maintenance).</summary>
    Operator = 1,

    /// <summary>The queue produced more invalid descriptors (BAD_REQUEST, ADDRESS_FAULT) than the device's threshold.</summary>
    TooManyErrors = 2,

    /// <summary>The client broke the ring protocol: a sequence word or <c>cq_head</c> that cannot be right.</summary>
    RingViolation = 3,

    /// <summary>The device was isolated (device faults beyond <c>isolate_strategy</c>).</summary>
    DeviceIsolated = 4,

    /// <summary>The broker that owns the device is shutting down.</summary>
    BrokerExit = 5,

    /// <summary>Set by the driver, never by a device: the broker's connection closed without a notice (the broker was
    /// killed), so nothing serves the queue any more.</summary>
    BrokerLost = 6,

    /// <summary>Set by the driver, never by a device: a kernel (uacce) queue's status word says the kernel stopped it
    /// (PUT_Q, a device reset, the driver's error handling).</summary>
    KernelStopped = 7,
}
