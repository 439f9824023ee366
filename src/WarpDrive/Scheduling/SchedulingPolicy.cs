namespace WarpDrive.Scheduling;

/// <summary>How an algorithm library's scheduler picks the context (queue) for a request, among the contexts of the
/// request's mode (sync or async) and operation (UADK's wd_sched policies).</summary>
public enum SchedulingPolicy
{
    /// <summary>Each request takes the next context in turn: load spreads evenly over queues and engines.</summary>
    RoundRobin,

    /// <summary>Each request takes the context with the fewest requests in flight: long and short requests mix
    /// without a long one holding up the short ones behind it.</summary>
    LeastLoaded,

    /// <summary>Every request of a session goes to the one context bound to it when it was opened (sessions are still
    /// spread over the contexts): requests of one session keep their order on the device.</summary>
    Single,

    /// <summary>Contexts are opened on every device that offers the algorithm at the highest priority present, and
    /// sessions are spread over the devices (round-robin within a device).</summary>
    PerDevice,
}
