using System.CommandLine;
using System.Globalization;
using WarpDrive.Cli.Bench;

namespace WarpDrive.Cli;

/// <summary><c>wd bench --alg A [--mode M] [--sync|--async] [--threads N] [--ctxnum N] [--depth N] [--pktlen B]
/// [--seconds S] [--workers N] [--input-file F] [--json] [--compare] [--report [DIR]] [--run-dir D]</c>: like uadk_tool benchmark.
/// Measures throughput, latency percentiles, the process's CPU and the submitting threads' CPU per request; with
/// <c>--compare</c> also the direct library call and a Unix-socket offload server, with ratios. docs/PERFORMANCE.md
/// describes the options and metrics.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var alg = new Option<string>("--alg", "-a") { Description = $"What to run: {string.Join(", ", BenchAlgorithm.ByName.Keys)}", Required = true };
        alg.AcceptOnlyFromAmong([.. BenchAlgorithm.ByName.Keys]);
        var op = new Option<string>("--op") { Description = "Compression: compress or decompress (of data compressed once up front)", DefaultValueFactory = _ => "compress" };
        op.AcceptOnlyFromAmong("compress", "decompress");
        var mode = new Option<string>("--mode", "-m") { Description = $"Where requests run: {string.Join(", ", BenchModes.ByName.Keys)}", DefaultValueFactory = _ => "local" };
        mode.AcceptOnlyFromAmong([.. BenchModes.ByName.Keys]);
        var sync = new Option<bool>("--sync") { Description = "One request in flight per thread (the default)" };
        var async = new Option<bool>("--async") { Description = "Keep --depth requests in flight per thread" };
        var callbacks = new Option<bool>("--callbacks") { Description = "With --async, compression: completion callbacks (TrySubmit) instead of ValueTasks" };
        var threads = new Option<int>("--threads", "-t") { Description = "Submitting threads, each with its own session", DefaultValueFactory = _ => 1 };
        var ctxnum = new Option<int>("--ctxnum") { Description = "Contexts (queues) of the library; raw queues for nop", DefaultValueFactory = _ => 1 };
        var depth = new Option<int>("--depth") { Description = "Asynchronous: requests in flight per thread", DefaultValueFactory = _ => 32 };
        var pktlen = new Option<string>("--pktlen") { Description = "Bytes per request: 4096, 4K, 64K, 1M...", DefaultValueFactory = _ => "64K" };
        var seconds = new Option<double>("--seconds") { Description = "Measured time per run (fractions allowed)", DefaultValueFactory = _ => 3 };
        var workers = new Option<int?>("--workers", "--engines") { Description = "Workers (threads serving the queues) of the devices (local, inline and the private broker); --engines is its old name" };
        var level = new Option<int>("--level", "-l") { Description = "Compression level: 0-9 (deflate, zlib, gzip), -128 to 22 (zstd), -128 to 12 (lz4)", DefaultValueFactory = _ => 1 };
        var inputFile = new Option<string?>("--input-file") { Description = "Take each request's packet from this file's first --pktlen bytes (default: generated text, or random bytes for crypto)" };
        var grace = new Option<double>("--grace")
        {
            Description = "Seconds a run may overrun before the requests still in flight are reported as lost (exit 8)",
            DefaultValueFactory = _ => 10,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table" };
        var compare = new Option<bool>("--compare") { Description = "Also run the direct call and a Unix-socket offload server, and print ratios" };
        var report = new Option<string?>("--report") { Description = "Sweep block size and depth; write DIR/PERFORMANCE.md's report section and a PNG (default DIR: docs)", Arity = ArgumentArity.ZeroOrOne };
        var runDir = new Option<string?>("--run-dir") { Description = "Broker modes: use the wdd already running on this run directory" };
        var serveSocket = new Option<string?>("--serve-socket") { Hidden = true };
        var command = new Command("bench", "Measure throughput, latency and CPU cost of requests (like uadk_tool benchmark)")
        {
            alg, op, mode, sync, async, callbacks, threads, ctxnum, depth, pktlen, seconds, workers, level, inputFile, grace, json, compare, report, runDir, serveSocket,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(sync) && parse.GetValue(async))
            {
                return CliError.Usage("choose one of --sync and --async");
            }

            if (BenchSize.Parse(parse.GetValue(pktlen)!) is not { } packet)
            {
                return CliError.Usage($"--pktlen: '{parse.GetValue(pktlen)}' is not a size (bytes, or with K, M, G)");
            }

            BenchAlgorithm algorithm = BenchAlgorithm.ByName[parse.GetValue(alg)!];
            var settings = new BenchSettings
            {
                Algorithm = algorithm,
                Decompress = parse.GetValue(op) == "decompress",
                Mode = BenchModes.ByName[parse.GetValue(mode)!],
                Async = parse.GetValue(async),
                Callbacks = parse.GetValue(callbacks),
                Threads = parse.GetValue(threads),
                Contexts = parse.GetValue(ctxnum),
                Depth = parse.GetValue(depth),
                PacketLength = packet,
                Seconds = parse.GetValue(seconds),
                Workers = parse.GetValue(workers),
                Level = parse.GetValue(level),
                InputFile = parse.GetValue(inputFile),
                Grace = parse.GetValue(grace) is > 0 and < 3600 and var g ? TimeSpan.FromSeconds(g) : TimeSpan.Zero,
            };
            if (Check(settings, parse.GetValue(op) == "decompress") is { } problem)
            {
                return CliError.Usage(problem);
            }

            if (parse.GetValue(serveSocket) is { } socketPath)
            {
                return SocketOffloadServer.Run(settings, socketPath);
            }

            string? reportDirectory = parse.GetResult(report) is null ? null : parse.GetValue(report) ?? "docs";
            return Run(settings, parse.GetValue(json), parse.GetValue(compare), reportDirectory, parse.GetValue(runDir));
        });
        return command;
    }

    private static string? Check(BenchSettings s, bool decompress) =>
        s.Threads < 1 ? "--threads must be at least 1"
        : s.Contexts < 1 ? "--ctxnum must be at least 1"
        : s.Depth is < 1 or > 4096 ? "--depth must be from 1 to 4096"
        : !(s.Seconds > 0) || s.Seconds > 3600 ? "--seconds must be above 0 (and at most 3600)"
        : s.Workers is < 1 or > 64 ? "--workers must be from 1 to 64"
        : CodecCommand.LevelRange(s.Algorithm.Name) is var (min, max) && (s.Level < min || s.Level > max) ? $"--level must be from {min} to {max} for {s.Algorithm.Name}"
        : s.Grace <= TimeSpan.Zero ? "--grace must be above 0 (and below 3600)"
        : decompress && s.Algorithm.Kind != BenchAlgorithmKind.Compression ? "--op decompress needs deflate, zlib, gzip, zstd or lz4"
        : s.Algorithm.Kind == BenchAlgorithmKind.Nop && s.Mode is BenchMode.Inline or BenchMode.Direct or BenchMode.Mix
            ? "nop measures the queues: use --mode local, broker-sva or broker-share"
        : s.Algorithm.Kind == BenchAlgorithmKind.AesCbc && s.PacketLength % 16 != 0 ? "--pktlen must be a multiple of 16 for AES-CBC"
        : s.PacketLength > 64 << 20 ? "--pktlen must be at most 64M"
        : s.Callbacks && (!s.Async || s.Algorithm.Kind != BenchAlgorithmKind.Compression) ? "--callbacks needs --async and a compression algorithm"
        : null;

    private static int Run(BenchSettings settings, bool json, bool compare, string? reportDirectory, string? runDirectory)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true; // finish the current run early and clean up (the broker, the socket server) on the way out
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        PrivateBroker? broker = null;
        BenchChild? socketServer = null;
        try
        {
            string? brokerDirectory = runDirectory;
            if (BenchModes.IsBroker(settings.Mode) && runDirectory is null)
            {
                broker = PrivateBroker.Start(settings, share: settings.Mode == BenchMode.BrokerShare);
                brokerDirectory = broker.RunDirectory;
            }

            var runs = new List<BenchResult>();
            var ratios = new List<BenchRatio>();
            BenchResult RunOne(BenchSettings s, string? socketPath = null)
            {
                using var input = new BenchInput(s);
                return BenchRun.Run(s, input, brokerDirectory, socketPath, cancel.Token);
            }

            if (reportDirectory is not null)
            {
                (List<BenchResult> results, string markdown, string chart) = BenchReport.Run(settings, reportDirectory, s => RunOne(s));
                runs.AddRange(results);
                if (!json)
                {
                    Console.Error.WriteLine($"wd: wrote {markdown} and {chart}");
                }
            }
            else
            {
                BenchResult main = RunOne(settings);
                runs.Add(main);
                if (compare)
                {
                    BenchResult direct = RunOne(settings with { Mode = BenchMode.Direct });
                    (BenchResult socket, socketServer) = RunSocket(settings, RunOne);
                    runs.Add(direct);
                    runs.Add(socket);
                    ratios.Add(BenchRatio.Of(main, direct));
                    ratios.Add(BenchRatio.Of(main, socket));
                }
            }

            if (json)
            {
                BenchOutput.Json(runs, ratios, broker?.Pid, socketServer?.Pid);
            }
            else
            {
                BenchOutput.Table(runs, ratios);
            }

            return cancel.IsCancellationRequested ? 130 : ExitCodes.Ok;
        }
        catch (BenchStalledException e)
        {
            Console.Error.WriteLine($"wd: bench: {e.Message}");
            return ExitCodes.Stalled;
        }
        catch (WdException e)
        {
            return CliError.Report(null, e);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
        {
            return CliError.Report(null, e is InvalidOperationException ? new WdException(e.Message) : e);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            socketServer?.Dispose();
            broker?.Dispose();
        }
    }

    /// <summary>Starts the socket server child, measures through it, and waits for it to exit (it does once every
    /// connection has closed).</summary>
    private static (BenchResult Result, BenchChild Server) RunSocket(BenchSettings settings, Func<BenchSettings, string?, BenchResult> run)
    {
        string directory = Directory.CreateTempSubdirectory("wd-bench-socket-").FullName;
        string path = Path.Combine(directory, "offload.sock");
        var inv = CultureInfo.InvariantCulture;
        var server = new BenchChild(["bench", "--serve-socket", path, "--alg", settings.Algorithm.Name, "--op", settings.Decompress ? "decompress" : "compress",
            "--pktlen", settings.PacketLength.ToString(inv), "--level", settings.Level.ToString(inv), "--threads", settings.Threads.ToString(inv),
            .. settings.InputFile is { } file ? (string[])["--input-file", Path.GetFullPath(file)] : []]);
        try
        {
            if (!server.WaitUntil(() => server.Wrote("ready"), TimeSpan.FromSeconds(30)))
            {
                throw new WdException($"the socket offload server did not start: {server.LastLine}");
            }

            BenchResult result = run(settings with { Mode = BenchMode.Socket }, path);
            server.Stop(TimeSpan.FromSeconds(10));
            return (result, server);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left in /tmp.
            }
        }
    }
}
