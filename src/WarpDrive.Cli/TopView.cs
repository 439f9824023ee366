using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;

namespace WarpDrive.Cli;

/// <summary>What <c>wd top</c> shows: one table per device (its publisher, engines, isolation and faults in the
/// title) with a row per queue that is in use or has served, and rates per second since the previous frame.</summary>
internal sealed class TopView
{
    private readonly Dictionary<(string File, string Device, int Queue), QueueSnapshot> _previous = [];
    private long _previousAt;

    /// <summary>Renders <paramref name="files"/>; rates compare with the previous call (none on the first).</summary>
    public IRenderable Render(string runDirectory, IReadOnlyList<StatsScanner.Published> files)
    {
        long now = Stopwatch.GetTimestamp();
        double seconds = _previousAt == 0 ? 0 : Stopwatch.GetElapsedTime(_previousAt, now).TotalSeconds;
        _previousAt = now;
        var seen = new Dictionary<(string, string, int), QueueSnapshot>();
        var parts = new List<IRenderable>
        {
            new Markup($"[bold]wd top[/]  {Markup.Escape(runDirectory)}  {DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}"),
        };
        if (files.Count == 0)
        {
            parts.Add(new Markup("[yellow]no device is publishing counters now[/]"));
        }

        foreach (StatsScanner.Published file in files)
        {
            foreach (DeviceSnapshot device in file.Stats.Devices)
            {
                var table = new Table { Title = new TableTitle(Title(file.Stats, device)) };
                // Short headers. "pid" and "command" are the owner process's ("?" where /proc does not show it); "user" is the owner's
                // name and uid and, when not 1, its weight, and its cap when it has one; "busy%" the share of one engine's time its requests
                // took since the last frame.
                table.AddColumns("q", "state", "pid", "command", "user", "submitted", "done", "err", "in", "out", "depth", "req/s", "in/s", "out/s", "busy%");
                foreach (int c in (int[])[0, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
                {
                    table.Columns[c].RightAligned();
                }

                int idle = 0;
                foreach (QueueSnapshot q in device.Queues)
                {
                    var key = (file.Path, device.Name, q.Id);
                    seen[key] = q;
                    if (q.State == QueueStatsState.Free && q.Submitted == 0)
                    {
                        idle++;
                        continue;
                    }

                    QueueSnapshot? before = seconds > 0 ? _previous.GetValueOrDefault(key) : null;
                    table.AddRow(
                        q.Id.ToString(CultureInfo.InvariantCulture),
                        StateName(q.State),
                        q.OwnerPid == 0 ? "-" : q.OwnerPid.ToString(CultureInfo.InvariantCulture),
                        q.OwnerPid == 0 ? "-" : Markup.Escape(QueueOwner.Command(q.OwnerPid, q.OwnerUid)),
                        User(q),
                        q.Submitted.ToString(CultureInfo.InvariantCulture),
                        q.Completed.ToString(CultureInfo.InvariantCulture),
                        q.Errors == 0 ? "0" : $"[red]{q.Errors}[/]",
                        Bytes(q.BytesIn),
                        Bytes(q.BytesOut),
                        q.Depth.ToString(CultureInfo.InvariantCulture),
                        Rate(before, q, seconds, s => s.Completed, bytes: false),
                        Rate(before, q, seconds, s => s.BytesIn, bytes: true),
                        Rate(before, q, seconds, s => s.BytesOut, bytes: true),
                        BusyShare(before, q, seconds));
                }

                if (idle > 0)
                {
                    table.Caption = new TableTitle($"{idle} queue(s) free and unused");
                }

                parts.Add(table);
            }
        }

        _previous.Clear();
        foreach ((var key, QueueSnapshot q) in seen)
        {
            _previous[key] = q;
        }

        return new Rows(parts);
    }

    private static string User(QueueSnapshot q) =>
        q.Weight == 0 ? "-"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Markup.Escape(QueueOwner.UserName(q.OwnerUid))} ({q.OwnerUid}){(q.Weight == 1 ? "" : $" w{q.Weight}")}{(q.MaxSharePercent is 0 or 100 ? "" : $" <={q.MaxSharePercent}%")}");

    /// <summary>Busy time the queue took since the last frame, as a percentage of one worker's time.</summary>
    private static string BusyShare(QueueSnapshot? before, QueueSnapshot now, double seconds)
    {
        if (before is null || seconds <= 0 || now.BusyNanos < before.BusyNanos)
        {
            return "-";
        }

        double share = (now.BusyNanos - before.BusyNanos) / (seconds * 1e9) * 100;
        return share.ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>"zip-0  wdd (pid 42)  2 worker(s)  isal  faults 0" and the isolation, marked.</summary>
    private static string Title(StatsSnapshot stats, DeviceSnapshot device)
    {
        string owner = stats.Publisher == StatsPublisher.Broker ? $"wdd (pid {stats.Pid})" : $"pid {stats.Pid}";
        string engine = device.Engine.Length > 0 ? $"  {Markup.Escape(device.Engine)}" : "";
        string isolated = device.IsIsolated ? "  [red]ISOLATED[/]" : "  isolated: no";
        string faults = device.FaultCount == 0 ? "faults 0" : $"[red]faults {device.FaultCount}[/]";
        return $"[bold]{Markup.Escape(device.Name)}[/]  {owner}  {device.Workers} worker(s){engine}  {Markup.Escape(device.Algorithms)}{isolated}  {faults}";
    }

    public static string StateName(QueueStatsState state) => state switch
    {
        QueueStatsState.Free => "free",
        QueueStatsState.Started => "started",
        QueueStatsState.Disabled => "disabled",
        QueueStatsState.Releasing => "releasing",
        _ => "unknown",
    };

    /// <summary>The <c>flags</c> attribute's spelling: "SVA SHARE".</summary>
    public static string FlagNames(DeviceFlags flags) => (flags.HasFlag(DeviceFlags.Sva), flags.HasFlag(DeviceFlags.Share)) switch
    {
        (true, true) => "SVA SHARE",
        (true, false) => "SVA",
        (false, true) => "SHARE",
        _ => "",
    };

    private static string Rate(QueueSnapshot? before, QueueSnapshot now, double seconds, Func<QueueSnapshot, ulong> counter, bool bytes)
    {
        if (before is null || counter(now) < counter(before))
        {
            return "-";
        }

        double perSecond = (counter(now) - counter(before)) / seconds;
        return bytes ? Bytes(perSecond) : perSecond.ToString("0", CultureInfo.InvariantCulture);
    }

    /// <summary>1023 B, 1.5 KiB, 12.0 MiB, ...</summary>
    public static string Bytes(double value)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{value.ToString("0", CultureInfo.InvariantCulture)} B" : $"{value.ToString("0.0", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
