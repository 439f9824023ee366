using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>Whether the broker's resources stayed flat. The measured window is the loaded part of the run after the
/// warm-up; its samples are split in thirds, and the first third is the baseline.
/// <list type="bullet">
/// <item>fds: the last third's median at most max(4, 10 %) above the first third's, and once every client is gone the
/// descriptors other than assembly images back within 2 of what they were before the first client came (every
/// socket, memfd and eventfd of a client, killed ones included, closed again; an assembly the runtime loads on first
/// use, e.g. System.Formats.Asn1 for the first RSA key, keeps its file open for good and is no leak);</item>
/// <item>threads: the last third's median at most 4 above the first third's, and once every client is gone at most
/// the first third's maximum;</item>
/// <item>RSS: the last third's median at most max(10 %, 8 MiB) above the first third's (the managed heap breathes; a
/// leak grows steadily). The least-squares slope over the window is reported too, in MiB per hour.</item>
/// </list></summary>
internal static class FlatnessCheck
{
    /// <summary>The checks, from the samples of one run.</summary>
    /// <param name="samples">Every sample of the run.</param>
    /// <param name="fdsBefore">Descriptors other than assembly images before the first client (<see cref="FdListing"/>).</param>
    /// <param name="fdsAfter">The same once the last client is gone.</param>
    public static IReadOnlyList<SoakCheck> Evaluate(IReadOnlyList<BrokerSample> samples, int fdsBefore, int fdsAfter)
    {
        BrokerSample[] measured = [.. samples.Where(s => s.Phase == "measured")];
        BrokerSample[] idleStart = [.. samples.Where(s => s.Phase == "idle-start")];
        BrokerSample[] idleEnd = [.. samples.Where(s => s.Phase == "idle-end")];
        if (measured.Length < 6 || idleStart.Length == 0 || idleEnd.Length == 0)
        {
            return [new SoakCheck("enough samples", false, $"{measured.Length} measured samples (6 needed), {idleStart.Length} before the clients, {idleEnd.Length} after")];
        }

        int third = measured.Length / 3;
        BrokerSample[] first = measured[..third], last = measured[^third..];
        var checks = new List<SoakCheck>();

        double fdFirst = Median(first, s => s.Fds), fdLast = Median(last, s => s.Fds);
        double fdBand = Math.Max(4, fdFirst * 0.10);
        checks.Add(new("fds flat under load", fdLast - fdFirst <= fdBand,
            F($"median {fdFirst:F0} in the first third, {fdLast:F0} in the last (band +{fdBand:F0})")));
        double allBefore = idleStart[^1].Fds, allAfter = idleEnd[^1].Fds;
        checks.Add(new("fds back once the clients are gone", fdsAfter <= fdsBefore + 2,
            F($"{fdsBefore} before the first client, {fdsAfter} after the last, assembly images aside (band +2); {allBefore:F0} and {allAfter:F0} in all (fds-idle-*.txt)")));

        double thFirst = Median(first, s => s.Threads), thLast = Median(last, s => s.Threads);
        checks.Add(new("threads flat under load", thLast - thFirst <= 4,
            F($"median {thFirst:F0} in the first third, {thLast:F0} in the last (band +4)")));
        double thBaselineMax = first.Max(s => s.Threads), thAfter = idleEnd.Max(s => s.Threads);
        checks.Add(new("threads back once the clients are gone", thAfter <= thBaselineMax,
            F($"{thAfter:F0} after the last client, first-third maximum {thBaselineMax:F0}")));

        double rssFirst = Median(first, s => s.RssKiB) / 1024, rssLast = Median(last, s => s.RssKiB) / 1024;
        double rssBand = Math.Max(8, rssFirst * 0.10);
        checks.Add(new("RSS flat under load", rssLast - rssFirst <= rssBand,
            F($"median {rssFirst:F1} MiB in the first third, {rssLast:F1} MiB in the last ({rssLast - rssFirst:+0.0;-0.0} MiB, band +{rssBand:F1}); slope {SlopePerHour(measured):+0.0;-0.0} MiB/h")));
        return checks;
    }

    /// <summary>Least-squares slope of RSS (MiB) over time, per hour.</summary>
    public static double SlopePerHour(IReadOnlyList<BrokerSample> samples)
    {
        double meanT = samples.Average(s => s.Seconds), meanR = samples.Average(s => s.RssKiB / 1024.0);
        double num = samples.Sum(s => (s.Seconds - meanT) * ((s.RssKiB / 1024.0) - meanR));
        double den = samples.Sum(s => (s.Seconds - meanT) * (s.Seconds - meanT));
        return den == 0 ? 0 : num / den * 3600;
    }

    private static double Median(IEnumerable<BrokerSample> samples, Func<BrokerSample, double> value) => SeriesStats.Of(samples.Select(value)).Median;

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
