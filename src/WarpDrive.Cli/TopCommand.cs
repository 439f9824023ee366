using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using WarpDrive.Abi.Stats;

namespace WarpDrive.Cli;

/// <summary><c>wd top [--run-dir DIR] [--interval S] [--once] [--json]</c>: live per-device and per-queue counters
/// (submitted, completed, errors, bytes, depth, rates) from the stats files the broker and in-process hosts publish
/// under <c>&lt;run&gt;/stats</c>, like uadk_tool dfx.</summary>
internal static class TopCommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static Command Create()
    {
        var runDir = new Option<string?>("--run-dir") { Description = "Run directory (default: $WD_RUN_DIR, /run/warpdrive for root, else $XDG_RUNTIME_DIR/warpdrive or /tmp/warpdrive-$UID)" };
        var interval = new Option<double>("--interval", "-i") { Description = "Seconds between refreshes", DefaultValueFactory = _ => 1.0 };
        var once = new Option<bool>("--once") { Description = "Print one snapshot and exit" };
        var json = new Option<bool>("--json") { Description = "Print one snapshot as JSON and exit" };
        var command = new Command("top", "Show live counters of every device and queue: the broker's and in-process ones (Ctrl+C stops)")
        {
            runDir, interval, once, json,
        };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(runDir), parse.GetValue(interval), parse.GetValue(once), parse.GetValue(json), token));
        return command;
    }

    private static async Task<int> RunAsync(string? runDirOption, double interval, bool once, bool json, CancellationToken cancellationToken)
    {
        // Checked here, not in a validator: a validator that reads the value throws when it did not parse ("soon").
        if (!(interval is >= 0.05 and <= 3600))
        {
            return CliError.Usage($"--interval must be between 0.05 and 3600 seconds (got {interval.ToString(CultureInfo.InvariantCulture)})");
        }

        try
        {
            string runDirectory = Platform.RunDirectory.Resolve(runDirOption);
            List<StatsScanner.Published> files = StatsScanner.Scan(runDirectory);
            if (files.Count == 0)
            {
                Console.Error.WriteLine($"wd: no WarpDrive devices are publishing counters under {runDirectory}");
                return ExitCodes.NoDevice;
            }

            if (json)
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(ToJson(runDirectory, files), s_json));
                return ExitCodes.Ok;
            }

            var view = new TopView();
            TimeSpan period = TimeSpan.FromSeconds(interval);
            if (once || Console.IsOutputRedirected)
            {
                // Not a terminal (or one snapshot asked for): plain tables, one per refresh, like top -b.
                if (Console.IsOutputRedirected)
                {
                    AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160); // no terminal to fit
                }

                AnsiConsole.Write(view.Render(runDirectory, files));
                while (!once && await DelayAsync(period, cancellationToken).ConfigureAwait(false))
                {
                    AnsiConsole.WriteLine();
                    AnsiConsole.Write(view.Render(runDirectory, StatsScanner.Scan(runDirectory)));
                }

                return ExitCodes.Ok;
            }

            await AnsiConsole.Live(view.Render(runDirectory, files)).StartAsync(async context =>
            {
                while (await DelayAsync(period, cancellationToken).ConfigureAwait(false))
                {
                    context.UpdateTarget(view.Render(runDirectory, StatsScanner.Scan(runDirectory)));
                }
            }).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return CliError.Report(null, e);
        }
    }

    /// <summary>Waits one period; false once Ctrl+C (or SIGTERM) asks to stop.</summary>
    private static async Task<bool> DelayAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(period, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static object ToJson(string runDirectory, List<StatsScanner.Published> files) => new
    {
        run_directory = runDirectory,
        publishers = files.Select(f => new
        {
            pid = f.Stats.Pid,
            publisher = f.Stats.Publisher switch
            {
                StatsPublisher.Broker => "broker",
                StatsPublisher.InProcess => "in-process",
                _ => "unknown",
            },
            file = f.Path,
            devices = f.Stats.Devices.Select(d => new
            {
                name = d.Name,
                algorithms = d.Algorithms,
                engine = d.Engine,
                workers = d.Workers,
                queue_depth = d.QueueDepth,
                flags = TopView.FlagNames(d.Flags),
                isolated = d.IsIsolated,
                faults = d.FaultCount,
                queues = d.Queues.Select(q => new
                {
                    id = q.Id,
                    state = TopView.StateName(q.State),
                    owner_pid = q.OwnerPid,
                    owner_uid = q.OwnerUid,
                    owner_user = q.Weight == 0 ? null : QueueOwner.UserName(q.OwnerUid),
                    owner_command = q.OwnerPid == 0 ? null : QueueOwner.Command(q.OwnerPid, q.OwnerUid),
                    weight = q.Weight,
                    max_share = q.MaxSharePercent,
                    busy_ns = q.BusyNanos,
                    submitted = q.Submitted,
                    completed = q.Completed,
                    errors = q.Errors,
                    bytes_in = q.BytesIn,
                    bytes_out = q.BytesOut,
                    waiting = q.Waiting,
                    depth = q.Depth,
                }),
            }),
        }),
    };
}
