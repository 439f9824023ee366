namespace WarpDrive.Tests.Stress;

/// <summary>How long the stress tests run: a bounded default in the test run, longer with <c>WD_STRESS_SECONDS</c>
/// (docs/RELIABILITY.md, "Lost wake-ups").</summary>
internal static class StressSettings
{
    /// <summary>The time one stress test spends: <paramref name="fallback"/>, or <c>WD_STRESS_SECONDS</c> when set.</summary>
    public static TimeSpan Budget(TimeSpan fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable("WD_STRESS_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : fallback;
}

/// <summary>The stress tests run one at a time: each wants the machine's cores for itself, so that its threads sleep
/// and wake as they would in a service, not as a side effect of another test's load.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StressCollection
{
    public const string Name = "Stress";
}
