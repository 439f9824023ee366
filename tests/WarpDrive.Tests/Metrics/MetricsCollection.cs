namespace WarpDrive.Tests.Metrics;

/// <summary>The meter tests' collection: a <c>MeterListener</c> hears the whole process, so these tests run alone, after
/// the parallel ones, and count only their own requests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics (process-wide listener)";
}
