namespace WarpDrive.Cli.Bench;

/// <summary>A run that did not end: a grace period after its time was up, some submitting threads still waited for
/// requests that never completed. <c>wd bench</c> reports them and exits with <see cref="ExitCodes.Stalled"/> rather
/// than wait for ever.</summary>
internal sealed class BenchStalledException(string message) : WdException(message)
{
    /// <summary>The report for the threads of <paramref name="progress"/> with requests still in flight.</summary>
    public static BenchStalledException Of(IReadOnlyList<BenchProgress> progress, TimeSpan grace)
    {
        int total = progress.Sum(p => p.InFlight);
        IEnumerable<string> threads = progress
            .Select((p, i) => (p, i))
            .Where(t => t.p.InFlight > 0)
            .Select(t => $"thread {t.i}: {t.p.InFlight}{(t.p.Measuring ? "" : " in the warm-up")}");
        return new BenchStalledException(
            $"{total} request(s) still in flight {grace.TotalSeconds:0.###} s after the run should have ended ({string.Join(", ", threads)}): "
            + "completions were lost");
    }
}
