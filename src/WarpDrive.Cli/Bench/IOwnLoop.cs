namespace WarpDrive.Cli.Bench;

/// <summary>A worker that runs its own submit/reap loop (the raw no-op queue loop, which samples its latency).</summary>
internal interface IOwnLoop
{
    /// <summary>Runs until <paramref name="deadline"/> (Stopwatch ticks), keeping <paramref name="progress"/> up to date.</summary>
    /// <returns>Requests completed.</returns>
    long Loop(long deadline, LatencyRecorder latencies, BenchProgress progress, CancellationToken stop, out long outputBytes);
}
