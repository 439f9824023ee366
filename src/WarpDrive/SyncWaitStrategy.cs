namespace WarpDrive;

/// <summary>How a synchronous caller waits for its request's completion (disruptor-style wait strategies): polling
/// the completion queue costs a core while it lasts; sleeping on the queue's futex costs a wake-up (tens of
/// microseconds on a busy machine) but no CPU.</summary>
public enum SyncWaitStrategy
{
    /// <summary>Poll for about twice the context's recent service time (20 µs to 2 ms) and sleep after that, unless
    /// requests have lately taken longer than 200 µs: then sleep at once, since polling
    /// would cost more CPU than the request and a wake-up adds little to its latency. The default.</summary>
    /// <remarks>The threshold is <see cref="SyncWaitStrategies.AdaptiveSleepAbove"/>.</remarks>
    Adaptive,

    /// <summary>Always poll for about twice the recent service time (20 µs to 2 ms) before sleeping: the lowest latency
    /// for requests of up to a few milliseconds, a core busy meanwhile.</summary>
    Spin,

    /// <summary>Sleep at once: the least CPU, a wake-up's latency on every request.</summary>
    Sleep,
}

/// <summary>Constants of <see cref="SyncWaitStrategy"/>.</summary>
public static class SyncWaitStrategies
{
    /// <summary>The recent service time above which <see cref="SyncWaitStrategy.Adaptive"/> sleeps at once.</summary>
    public static readonly TimeSpan AdaptiveSleepAbove = TimeSpan.FromMicroseconds(200);

    /// <summary>Parses <c>adaptive</c>, <c>spin</c> or <c>sleep</c> (<c>WD_SYNC_WAIT</c>; null or empty: adaptive).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static SyncWaitStrategy Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "adaptive" => SyncWaitStrategy.Adaptive,
        "spin" => SyncWaitStrategy.Spin,
        "sleep" => SyncWaitStrategy.Sleep,
        _ => throw new ArgumentException($"unknown wait strategy '{value}' in WD_SYNC_WAIT (adaptive, spin or sleep)"),
    };
}
