using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace WarpDrive.Cli.Bench;

/// <summary>Prints results: a Spectre.Console table (and the ratios of <c>--compare</c>), or with <c>--json</c> one JSON
/// object <c>{"runs": [...], "ratios": [...], "broker_pid": n, "socket_server_pid": n}</c>.</summary>
internal static class BenchOutput
{
    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static void Json(IReadOnlyList<BenchResult> runs, IReadOnlyList<BenchRatio> ratios, int? brokerPid, int? socketServerPid) =>
        Console.Out.WriteLine(JsonSerializer.Serialize(new { runs, ratios, brokerPid, socketServerPid }, s_json));

    public static void Table(IReadOnlyList<BenchResult> runs, IReadOnlyList<BenchRatio> ratios)
    {
        // Few runs: one column per run, one row per metric (fits a terminal); a sweep: one row per run.
        AnsiConsole.Write(runs.Count <= 4 ? ByMetric(runs) : ByRun(runs));
        foreach (BenchRatio ratio in ratios)
        {
            AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"{ratio.Mode} vs {ratio.Versus}: ops/s x{ratio.OpsPerS:F2}, submitting thread's CPU per request x{ratio.SubmitCpuPerRequest:F3} ({ratio.SubmitCpuPerRequest:P1})");
        }
    }

    private static Table ByMetric(IReadOnlyList<BenchResult> runs)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("");
        foreach (BenchResult r in runs)
        {
            table.AddColumn(new TableColumn(r.Mode).RightAligned());
        }

        void Row(string name, Func<BenchResult, string> value) => table.AddRow([name, .. runs.Select(value)]);
        Row("alg / op", r => $"{r.Alg} {r.Op}");
        Row("submit", r => $"{r.Submit}, depth {N(r.Depth)}");
        Row("threads / ctxnum", r => $"{N(r.Threads)} / {N(r.Ctxnum)}");
        Row("pktlen", r => BenchSize.Format(r.Pktlen));
        Row("requests", r => r.Requests.ToString(CultureInfo.InvariantCulture));
        Row("MB/s", r => F(r.MbPerS, 1));
        Row("ops/s", r => F(r.OpsPerS, 0));
        Row("latency p50 µs", r => F(r.P50Us, 2));
        Row("latency p99 µs", r => F(r.P99Us, 2));
        Row("latency p99.9 µs", r => F(r.P999Us, 2));
        Row("process CPU %", r => F(r.CpuPercent, 0));
        Row("submitter CPU µs/req", r => F(r.SubmitCpuUsPerRequest, 3));
        Row("late reaps", r => r.LateReaps.ToString(CultureInfo.InvariantCulture));
        Row("path", r => r.Path);
        return table;
    }

    private static Table ByRun(IReadOnlyList<BenchResult> runs)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in (string[])["pktlen", "depth", "MB/s", "ops/s", "p50 µs", "p99 µs", "p99.9 µs", "CPU %", "CPU µs/req"])
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (BenchResult r in runs)
        {
            table.AddRow(BenchSize.Format(r.Pktlen), N(r.Depth), F(r.MbPerS, 0), F(r.OpsPerS, 0), F(r.P50Us, 0), F(r.P99Us, 0),
                F(r.P999Us, 0), F(r.CpuPercent, 0), F(r.SubmitCpuUsPerRequest, 2));
        }

        return table;
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);
}
