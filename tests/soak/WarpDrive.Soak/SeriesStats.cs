namespace WarpDrive.Soak;

/// <summary>Minimum, median and maximum of one series of samples.</summary>
internal readonly record struct SeriesStats(double Min, double Median, double Max)
{
    /// <summary>The statistics of <paramref name="values"/> (all zero when there are none).</summary>
    public static SeriesStats Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return default;
        }

        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new(sorted[0], median, sorted[^1]);
    }
}
