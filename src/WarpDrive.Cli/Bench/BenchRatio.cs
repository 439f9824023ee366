namespace WarpDrive.Cli.Bench;

/// <summary><c>--compare</c>: the measured mode against a baseline (direct call or socket server): ops/s of the mode
/// over the baseline's, and the submitting thread's CPU time per request of the mode over the baseline's.</summary>
internal sealed record BenchRatio(string Mode, string Versus, double OpsPerS, double SubmitCpuPerRequest)
{
    public static BenchRatio Of(BenchResult mode, BenchResult baseline) => new(mode.Mode, baseline.Mode,
        baseline.OpsPerS > 0 ? mode.OpsPerS / baseline.OpsPerS : 0,
        baseline.SubmitCpuUsPerRequest > 0 ? mode.SubmitCpuUsPerRequest / baseline.SubmitCpuUsPerRequest : 0);
}
