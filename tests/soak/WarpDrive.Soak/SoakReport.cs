using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace WarpDrive.Soak;

/// <summary>The end of a run: <c>samples.csv</c> and <c>summary.json</c> in the output folder, and on the console a
/// table of samples (one a minute, plus the phase boundaries), the resource figures, the request counts and the
/// verdict.</summary>
internal static class SoakReport
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Write(SoakOptions options, IReadOnlyList<BrokerSample> samples, SoakTotals totals, IReadOnlyList<SoakCheck> checks, bool passed)
    {
        File.WriteAllLines(Path.Combine(options.OutputDirectory, "samples.csv"), [BrokerSample.CsvHeader, .. samples.Select(s => s.ToCsv())]);

        BrokerSample[] measured = [.. samples.Where(s => s.Phase == "measured")];
        var figures = new Dictionary<string, object>();
        foreach ((string name, Func<BrokerSample, double> value) in (ReadOnlySpan<(string, Func<BrokerSample, double>)>)
                 [("fds", s => s.Fds), ("rss_mib", s => s.RssKiB / 1024.0), ("threads", s => s.Threads)])
        {
            SeriesStats stats = SeriesStats.Of(measured.Select(value));
            figures[name] = new
            {
                idle_start = samples.Where(s => s.Phase == "idle-start").Select(value).LastOrDefault(),
                warm_up_end = measured.Select(value).FirstOrDefault(),
                end_of_load = measured.Select(value).LastOrDefault(),
                idle_end = samples.Where(s => s.Phase == "idle-end").Select(value).LastOrDefault(),
                measured_min = stats.Min,
                measured_median = stats.Median,
                measured_max = stats.Max,
            };
        }

        var summary = new
        {
            passed,
            minutes = options.Minutes,
            clients = options.Clients,
            warm_up_seconds = options.WarmUp.TotalSeconds,
            machine = new { nproc = Environment.ProcessorCount, kernel = Environment.OSVersion.VersionString },
            requests = new
            {
                done = totals.Done,
                ok = totals.Graceful.Ok + totals.Killed.Ok,
                expected_errors = totals.Graceful.ExpectedErrors + totals.Killed.ExpectedErrors,
                errors = totals.Graceful.Errors + totals.Killed.Errors,
                mismatches = totals.Graceful.Mismatches + totals.Killed.Mismatches,
                duplicates = totals.Graceful.Duplicates + totals.Killed.Duplicates,
                lost = totals.Lost,
                in_flight_at_sigkill = totals.InFlightAtKill,
            },
            client_processes = new { ended = totals.ClientsEnded, killed = totals.ClientsKilled, failures = totals.Failures },
            broker = figures,
            slope_rss_mib_per_hour = measured.Length > 1 ? FlatnessCheck.SlopePerHour(measured) : 0,
            checks,
        };
        File.WriteAllText(Path.Combine(options.OutputDirectory, "summary.json"), JsonSerializer.Serialize(summary, s_json));

        var table = new Table().AddColumns("t (s)", "phase", "fds", "RSS (MiB)", "threads", "clients", "requests done");
        string? phase = null;
        double nextMinute = double.MinValue;
        foreach (BrokerSample s in samples)
        {
            if (s.Phase != phase || s.Seconds >= nextMinute || s == samples[^1])
            {
                table.AddRow(I($"{s.Seconds:F0}"), s.Phase, I($"{s.Fds}"), I($"{s.RssKiB / 1024.0:F1}"), I($"{s.Threads}"), I($"{s.Clients}"), I($"{s.Done}"));
                phase = s.Phase;
                nextMinute = (Math.Floor(s.Seconds / 60) + 1) * 60;
            }
        }

        AnsiConsole.Write(table);
        var figureTable = new Table().AddColumns("broker", "before clients", "warm-up end", "end of load", "after clients", "min", "median", "max");
        foreach ((string name, object value) in figures)
        {
            JsonElement f = JsonSerializer.SerializeToElement(value);
            figureTable.AddRow([name, .. ((string[])["idle_start", "warm_up_end", "end_of_load", "idle_end", "measured_min", "measured_median", "measured_max"])
                .Select(k => f.GetProperty(k).GetDouble().ToString(name == "rss_mib" ? "F1" : "F0", CultureInfo.InvariantCulture))]);
        }

        AnsiConsole.Write(figureTable);
        AnsiConsole.MarkupLine(Markup.Escape(I(
            $"requests: {totals.Done} done ({summary.requests.ok} ok, {summary.requests.expected_errors} failed as they had to), {summary.requests.errors} errors, {summary.requests.mismatches} mismatches, {summary.requests.duplicates} duplicate completions, {totals.Lost} lost; {totals.InFlightAtKill} in flight in SIGKILLed clients")));
        AnsiConsole.MarkupLine(Markup.Escape(I($"client processes: {totals.ClientsEnded} ran to their end, {totals.ClientsKilled} killed with SIGKILL, {totals.Failures.Count} failed")));
        foreach (string failure in totals.Failures)
        {
            AnsiConsole.MarkupLine($"  [red]{Markup.Escape(failure)}[/]");
        }

        foreach (SoakCheck check in checks)
        {
            AnsiConsole.MarkupLine($"{(check.Passed ? "[green]PASS[/]" : "[red]FAIL[/]")} {Markup.Escape(check.Name)}: {Markup.Escape(check.Detail)}");
        }

        AnsiConsole.MarkupLine(passed ? "[green]verdict: FLAT, nothing lost[/]" : "[red]verdict: FAILED[/]");
        AnsiConsole.MarkupLine(Markup.Escape($"samples and logs: {options.OutputDirectory}"));
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
