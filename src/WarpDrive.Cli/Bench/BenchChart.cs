using ScottPlot;

namespace WarpDrive.Cli.Bench;

/// <summary>The PNG of <c>--report</c>: throughput (MB/s, or ops/s for no-ops and signatures) against block size, one
/// line per depth, drawn headless with ScottPlot on SkiaSharp's self-contained native library.</summary>
internal static class BenchChart
{
    public static void Write(string path, string title, IReadOnlyList<int> sizes, IReadOnlyList<int> depths, IReadOnlyList<BenchResult> results, bool perOperation)
    {
        var plot = new Plot();
        double top = 0;
        double[] xs = [.. Enumerable.Range(0, sizes.Count).Select(i => (double)i)];
        foreach (int depth in depths)
        {
            double[] ys = [.. sizes.Select(size => results.First(r => r.Pktlen == size && r.Depth == depth) is var r ? (perOperation ? r.OpsPerS : r.MbPerS) : 0)];
            top = Math.Max(top, ys.Max());
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = $"depth {depth}";
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }

        plot.Axes.Bottom.SetTicks(xs, [.. sizes.Select(BenchSize.Format)]);
        plot.Axes.Bottom.Label.Text = "block size (bytes)";
        plot.Axes.Left.Label.Text = perOperation ? "ops/s" : "MB/s";
        plot.Axes.SetLimitsY(0, top > 0 ? top * 1.1 : 1);
        plot.Title(title);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 900, 560);
    }
}
