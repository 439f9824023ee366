using System.Globalization;
using System.Text;

namespace WarpDrive.Cli.Bench;

/// <summary><c>--report [DIR]</c>: sweeps block size and depth for the selected algorithm and mode (asynchronous, each
/// point a short run), writes a markdown table into DIR/PERFORMANCE.md between the report markers (replacing what was
/// there, or appending the section) and a chart DIR/bench-ALG-MODE.svg.</summary>
internal static class BenchReport
{
    public const string Begin = "<!-- wd bench report: begin -->";
    public const string End = "<!-- wd bench report: end -->";
    public static readonly int[] Sizes = [4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20];
    public static readonly int[] Depths = [1, 4, 16, 64];

    /// <summary>The depths swept: the direct call has only one request in flight.</summary>
    private static int[] DepthsOf(BenchSettings settings) => settings.Mode == BenchMode.Direct ? [1] : Depths;

    /// <summary>Runs the sweep with <paramref name="run"/> and writes both files.</summary>
    /// <returns>The results, and the paths written.</returns>
    public static (List<BenchResult> Results, string Markdown, string Chart) Run(BenchSettings settings, string directory, Func<BenchSettings, BenchResult> run)
    {
        var results = new List<BenchResult>();
        int[] depths = DepthsOf(settings);
        foreach (int size in Sizes)
        {
            foreach (int depth in depths)
            {
                results.Add(run(settings with { PacketLength = size, Depth = depth, Async = true }));
            }
        }

        Directory.CreateDirectory(directory);
        string mode = BenchModes.Name(settings.Mode);
        string chart = Path.Combine(directory, $"bench-{settings.Algorithm.Name}-{mode}.svg");
        bool perOperation = settings.Algorithm.Kind is BenchAlgorithmKind.Nop or BenchAlgorithmKind.RsaSign;
        BenchChart.Write(chart, $"wd bench {settings.Algorithm.Name} {settings.Operation}, {mode}", Sizes, depths, results, perOperation);
        string markdown = Path.Combine(directory, "PERFORMANCE.md");
        string existing = File.Exists(markdown) ? File.ReadAllText(markdown) : "";
        File.WriteAllText(markdown, Splice(existing, Section(settings, results, Path.GetFileName(chart), perOperation)));
        return (results, markdown, chart);
    }

    /// <summary><paramref name="text"/> with the part between the markers replaced by <paramref name="section"/> (the
    /// markers kept), or the markers and section appended when it has none. A marker counts only on a line of its own:
    /// the documentation quotes them inside other lines.</summary>
    public static string Splice(string text, string section)
    {
        int begin = FindLine(text, Begin, 0);
        int end = begin < 0 ? -1 : FindLine(text, End, begin);
        if (begin < 0 || end < 0)
        {
            string separator = text.Length == 0 || text.EndsWith("\n\n", StringComparison.Ordinal) ? "" : text.EndsWith('\n') ? "\n" : "\n\n";
            return $"{text}{separator}{Begin}\n{section}{End}\n";
        }

        return $"{text[..(begin + Begin.Length)]}\n{section}{text[end..]}";
    }

    /// <summary>Where <paramref name="marker"/> stands alone on a line, at or after <paramref name="from"/>; -1 if nowhere.</summary>
    private static int FindLine(string text, string marker, int from)
    {
        for (int at = text.IndexOf(marker, from, StringComparison.Ordinal); at >= 0; at = text.IndexOf(marker, at + 1, StringComparison.Ordinal))
        {
            bool starts = at == 0 || text[at - 1] == '\n';
            int after = at + marker.Length;
            if (starts && (after == text.Length || text[after] == '\n'))
            {
                return at;
            }
        }

        return -1;
    }

    private static string Section(BenchSettings settings, List<BenchResult> results, string chart, bool perOperation)
    {
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        string command = "wd " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(Quote));
        md.AppendLine(inv, $"### wd bench: {settings.Algorithm.Name} {settings.Operation}, {BenchModes.Name(settings.Mode)}");
        md.AppendLine();
        md.AppendLine(inv, $"Command: `{command}`  ");
        md.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {CpuModel()}, {Environment.OSVersion.VersionString}  ");
        md.AppendLine(inv, $"Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; asynchronous, {settings.Threads} thread(s), ctxnum {settings.Contexts}, {settings.Seconds.ToString(inv)} s per point");
        md.AppendLine();
        string unit = perOperation ? "ops/s" : "MB/s";
        md.AppendLine(inv, $"{unit} (p99 latency in µs) by block size and depth:");
        md.AppendLine();
        int[] depths = DepthsOf(settings);
        md.AppendLine("| block | " + string.Join(" | ", depths.Select(d => $"depth {d}")) + " |");
        md.AppendLine("|---:|" + string.Concat(depths.Select(_ => "---:|")));
        foreach (int size in Sizes)
        {
            md.Append(inv, $"| {BenchSize.Format(size)} |");
            foreach (int depth in depths)
            {
                BenchResult r = results.First(x => x.Pktlen == size && x.Depth == depth);
                md.Append(inv, $" {(perOperation ? r.OpsPerS : r.MbPerS):F0} ({r.P99Us:F0}) |");
            }

            md.AppendLine();
        }

        md.AppendLine();
        md.AppendLine(inv, $"![throughput against block size]({chart})");
        return md.ToString();
    }

    private static string Quote(string argument) => argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:".Contains(c)) ? argument : $"'{argument}'";

    private static string CpuModel()
    {
        try
        {
            string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
