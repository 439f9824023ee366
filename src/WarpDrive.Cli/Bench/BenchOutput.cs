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
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string column in (string[])["mode", "alg", "op", "submit", "thr", "ctx", "depth", "pktlen", "MB/s", "ops/s",
                     "p50 µs", "p99 µs", "p99.9 µs", "CPU %", "submit CPU µs/req"])
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        foreach (BenchResult r in runs)
        {
            table.AddRow(r.Mode, r.Alg, r.Op, r.Submit, N(r.Threads), N(r.Ctxnum), N(r.Depth), BenchSize.Format(r.Pktlen),
                F(r.MbPerS, 1), F(r.OpsPerS, 0), F(r.P50Us, 1), F(r.P99Us, 1), F(r.P999Us, 1), F(r.CpuPercent, 0), F(r.SubmitCpuUsPerRequest, 3));
        }

        AnsiConsole.Write(table);
        foreach (BenchRatio ratio in ratios)
        {
            AnsiConsole.MarkupLineInterpolated(CultureInfo.InvariantCulture,
                $"{ratio.Mode} vs {ratio.Versus}: ops/s x{ratio.OpsPerS:F2}, submitting thread's CPU per request x{ratio.SubmitCpuPerRequest:F3} ({ratio.SubmitCpuPerRequest:P1})");
        }
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string F(double value, int decimals) => value.ToString($"F{decimals}", CultureInfo.InvariantCulture);
}
