namespace WarpDrive.Cli.Bench;

/// <summary>A run that did not end: its time was up, and for a grace period no submitting thread saw a request complete
/// while some still waited for theirs. <c>wd bench</c> reports them and exits with <see cref="ExitCodes.Stalled"/> rather
/// than wait for ever.</summary>
internal sealed class BenchStalledException(string message) : WdException(message)
{
    /// <summary>The report for the threads of <paramref name="progress"/> with requests still in flight.</summary>
    /// <param name="progress">Every submitting thread's progress; those still busy are named.</param>
    /// <param name="grace">How long nothing completed.</param>
    public static BenchStalledException Of(IReadOnlyList<BenchProgress> progress, TimeSpan grace)
    {
        int total = progress.Sum(p => p.InFlight);
        IEnumerable<string> threads = progress
            .Select((p, i) => (p, i))
            .Where(t => t.p.Busy)
            .Select(t => $"thread {t.i}: {t.p.InFlight}{(t.p.Measuring ? "" : " in the warm-up")}");
        return new BenchStalledException(
            $"{total} request(s) still in flight, none completed for {grace.TotalSeconds:0.###} s after the run should have ended "
            + $"({string.Join(", ", threads)}): completions were lost");
    }
}
