using System.Globalization;
using System.Net;
using System.Text;

namespace WarpDrive.Cli.Bench;

/// <summary>The SVG of <c>--report</c>: throughput (MB/s, or ops/s for no-ops and signatures) against block size, one
/// polyline per depth, written as plain SVG text (no chart library: the tool package stays small, issue 20).</summary>
internal static class BenchChart
{
    private const int Width = 900, Height = 560, Left = 80, Right = 150, Top = 50, Bottom = 70;
    private static readonly string[] s_colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    public static void Write(string path, string title, IReadOnlyList<int> sizes, IReadOnlyList<int> depths, IReadOnlyList<BenchResult> results, bool perOperation) =>
        File.WriteAllText(path, Svg(title, sizes, depths, results, perOperation));

    public static string Svg(string title, IReadOnlyList<int> sizes, IReadOnlyList<int> depths, IReadOnlyList<BenchResult> results, bool perOperation)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        double Value(int size, int depth) => results.FirstOrDefault(r => r.Pktlen == size && r.Depth == depth) is { } r ? (perOperation ? r.OpsPerS : r.MbPerS) : 0;
        double top = sizes.SelectMany(s => depths.Select(d => Value(s, d))).DefaultIfEmpty(0).Max();
        top = top > 0 ? top * 1.1 : 1;
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(int i) => Left + (sizes.Count > 1 ? plotW * i / (double)(sizes.Count - 1) : plotW / 2.0);
        double Y(double v) => Top + plotH - (plotH * v / top);

        var svg = new StringBuilder();
        svg.AppendLine(inv, $"""<svg xmlns="http://www.w3.org/2000/svg" width="{Width}" height="{Height}" font-family="sans-serif" font-size="13">""");
        svg.AppendLine(inv, $"""<rect width="{Width}" height="{Height}" fill="white"/>""");
        svg.AppendLine(inv, $"""<text x="{Left + (plotW / 2)}" y="28" text-anchor="middle" font-size="16">{WebUtility.HtmlEncode(title)}</text>""");
        for (int t = 0; t <= 5; t++)
        {
            double v = top * t / 5, y = Y(v);
            svg.AppendLine(inv, $"""<line x1="{Left}" y1="{y:F1}" x2="{Left + plotW}" y2="{y:F1}" stroke="#ddd"/><text x="{Left - 6}" y="{y + 4:F1}" text-anchor="end">{v:G4}</text>""");
        }

        for (int i = 0; i < sizes.Count; i++)
        {
            svg.AppendLine(inv, $"""<text x="{X(i):F1}" y="{Top + plotH + 20}" text-anchor="middle">{BenchSize.Format(sizes[i])}</text>""");
        }

        svg.AppendLine(inv, $"""<rect x="{Left}" y="{Top}" width="{plotW}" height="{plotH}" fill="none" stroke="black"/>""");
        svg.AppendLine(inv, $"""<text x="{Left + (plotW / 2)}" y="{Height - 20}" text-anchor="middle">block size (bytes)</text>""");
        svg.AppendLine(inv, $"""<text x="20" y="{Top + (plotH / 2)}" text-anchor="middle" transform="rotate(-90 20 {Top + (plotH / 2)})">{(perOperation ? "ops/s" : "MB/s")}</text>""");
        for (int d = 0; d < depths.Count; d++)
        {
            string color = s_colors[d % s_colors.Length];
            string points = string.Join(' ', sizes.Select((s, i) => string.Create(inv, $"{X(i):F1},{Y(Value(s, depths[d])):F1}")));
            svg.AppendLine(inv, $"""<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2"/>""");
            int ly = Top + 10 + (d * 20);
            svg.AppendLine(inv, $"""<line x1="{Left + plotW + 15}" y1="{ly}" x2="{Left + plotW + 40}" y2="{ly}" stroke="{color}" stroke-width="2"/><text x="{Left + plotW + 46}" y="{ly + 4}">depth {depths[d]}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }
}
