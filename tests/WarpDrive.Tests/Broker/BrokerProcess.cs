using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using WdRunDirectory = WarpDrive.Platform.RunDirectory;

namespace WarpDrive.Tests.Broker;

/// <summary>A real <c>wdd</c> process on a fresh temporary run directory, for the broker's integration tests: it is
/// started with a configuration file written there, ready once <c>wdd.pid</c> appears, and on dispose stopped with
/// SIGTERM, which must end it cleanly (exit code 0, no unhandled exception, pid file and sockets removed).</summary>
internal sealed class BrokerProcess : IAsyncDisposable
{
    /// <summary>One device <c>zip-0</c> with every default.</summary>
    public const string DefaultConfig = """{ "devices": [ { "name": "zip-0" } ] }""";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private bool _killed;
    private readonly StringBuilder _log = new();
    private readonly ITestOutputHelper? _output;
    private bool _disposed;

    private BrokerProcess(Process process, string runDirectory, string configPath, ITestOutputHelper? output)
    {
        _process = process;
        RunDirectory = runDirectory;
        ConfigPath = configPath;
        _output = output;
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.OutputDataReceived += (_, e) => Append(e.Data);
    }

    /// <summary>The broker's run directory (a fresh temporary directory, mode 0755).</summary>
    public string RunDirectory { get; }

    /// <summary>The configuration file the broker was started with.</summary>
    public string ConfigPath { get; }

    /// <summary>Set before disposing to leave the run directory for a broker restarted on it (see StartAsync).</summary>
    public bool KeepRunDirectory { get; set; }

    /// <summary>The broker's pid (read back from <c>wdd.pid</c>).</summary>
    public int Pid { get; private set; }

    /// <summary>Whether the broker process is still running.</summary>
    public bool IsAlive => !_process.HasExited;

    /// <summary>Kills the broker with SIGKILL (no shutdown notice to its clients) and waits until it is gone.</summary>
    public void Kill()
    {
        _killed = true;
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Everything the broker logged so far (it logs to stderr).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Waits (at most 2 s) until the broker has logged a line containing <paramref name="text"/>: it logs
    /// through a background queue, so a line can trail the event it reports.</summary>
    public Task<bool> LoggedAsync(string text) =>
        BrokerTestKit.EventuallyAsync(() => Log.Contains(text, StringComparison.Ordinal), TimeSpan.FromSeconds(2));

    /// <summary>Path of the test output directory's file <paramref name="name"/> (wdd.dll, wd.dll, ...).</summary>
    public static string Binary(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>Starts <c>wdd --config F --run-dir D</c> (or <c>wd daemon --config F --run-dir D</c> with
    /// <paramref name="viaWd"/>) with <paramref name="configJson"/> and waits (at most 20 s) until it has written its
    /// pid file. <paramref name="runDirectory"/> restarts a broker on the run directory of one that stopped or was
    /// killed (its clients may still be running); by default the directory is a fresh one. <paramref name="environment"/>
    /// is added to wdd's.</summary>
    public static async Task<BrokerProcess> StartAsync(string configJson, ITestOutputHelper? output = null, bool viaWd = false, string? runDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        string directory = runDirectory ?? Directory.CreateTempSubdirectory("wdd-").FullName;
        // Like /run/warpdrive: other users may look in; the socket modes decide who may open a device.
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        string configPath = Path.Combine(directory, "wdd.json");
        await File.WriteAllTextAsync(configPath, configJson);

        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string[] command = viaWd ? [Binary("wd.dll"), "daemon"] : [Binary("wdd.dll")];
        foreach (string arg in (string[])[.. command, "--config", configPath, "--run-dir", directory])
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[WdRunDirectory.EnvironmentVariable] = directory;
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        var broker = new BrokerProcess(Process.Start(psi)!, directory, configPath, output);
        broker._process.BeginErrorReadLine();
        broker._process.BeginOutputReadLine();
        try
        {
            string pidFile = Path.Combine(directory, "wdd.pid");
            var clock = Stopwatch.StartNew();
            // A broker killed on this directory before left its pid file: wait for this one's pid.
            string expected = broker._process.Id.ToString(CultureInfo.InvariantCulture) + "\n";
            while (!File.Exists(pidFile) || (runDirectory is null ? !(await File.ReadAllTextAsync(pidFile)).EndsWith('\n') : await File.ReadAllTextAsync(pidFile) != expected))
            {
                if (broker._process.HasExited)
                {
                    await broker._process.WaitForExitAsync();
                    throw new InvalidOperationException($"wdd exited with {broker._process.ExitCode} before it was ready:\n{broker.Log}");
                }

                if (clock.Elapsed > s_startTimeout)
                {
                    throw new TimeoutException($"wdd wrote no pid file within {s_startTimeout.TotalSeconds} s:\n{broker.Log}");
                }

                await Task.Delay(10);
            }

            broker.Pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture);
            Assert.Equal(broker._process.Id, broker.Pid);
            return broker;
        }
        catch (Exception e)
        {
            output?.WriteLine($"wdd did not start: {e}");
            broker._killed = true; // it never served: the start's own error is the one to report, not the clean-stop checks
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Path of an attribute file: <c>&lt;run&gt;/class/uacce/&lt;device&gt;/&lt;name&gt;</c>.</summary>
    public string AttributePath(string device, string name) =>
        Path.Combine(WdRunDirectory.DeviceClassDirectory(RunDirectory, device), name);

    /// <summary>An attribute's value, without the trailing newline.</summary>
    public string ReadAttribute(string device, string name) => File.ReadAllText(AttributePath(device, name)).TrimEnd('\n');

    /// <summary>The device socket <c>&lt;run&gt;/dev/&lt;device&gt;</c>.</summary>
    public string SocketPath(string device) => WdRunDirectory.DeviceSocket(RunDirectory, device);

    /// <summary>A runtime that uses only this broker's devices.</summary>
    public WdRuntime CreateRuntime(string? device = null, int maxCompressionContexts = 2) => new(new WdRuntimeOptions
    {
        MixMode = false, // requests go to the device under test, not to Mix mode's inline one
        Mode = WdDeviceMode.Broker,
        BrokerRunDirectory = RunDirectory,
        DeviceName = device,
        MaxContextsPerAlgorithm = maxCompressionContexts,
    });

    /// <summary>Open file descriptors of the broker.</summary>
    public int FdCount() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    /// <summary>Mappings of the broker's memfds (rings <c>wd-zip-0-ring</c>, regions <c>wd-share-PID</c>).</summary>
    public int MappedRegions() =>
        File.ReadLines($"/proc/{Pid}/maps").Count(l => l.Contains("/memfd:wd-", StringComparison.Ordinal));

    /// <summary>Resident set size of the broker in bytes (VmRSS).</summary>
    public long RssBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS in /proc/{Pid}/status");
    }

    /// <summary>Starts <c>dotnet WarpDrive.TestClient.dll args</c> against this broker.</summary>
    public ChildProcess StartTestClient(params string[] args) => ChildProcess.Start(RunDirectory, "WarpDrive.TestClient.dll", args);

    /// <summary>Starts <c>dotnet wd.dll args</c> against this broker.</summary>
    public ChildProcess StartWd(params string[] args) => ChildProcess.Start(RunDirectory, "wd.dll", args);

    /// <summary>Runs <c>dotnet wd.dll args</c> to its end (at most 2 minutes).</summary>
    public async Task<ChildProcess> RunWdAsync(params string[] args)
    {
        ChildProcess wd = StartWd(args);
        await wd.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return wd;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.Append(line).Append('\n');
            }
        }
    }

    /// <summary>SIGTERM, then checks that the broker stopped cleanly and removed its pid file and sockets.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            bool wasAlive = !_process.HasExited;
            if (wasAlive)
            {
                NativeTestMethods.Signal(_process.Id, NativeTestMethods.SIGTERM);
            }

            using var timeout = new CancellationTokenSource(s_stopTimeout);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
                Assert.Fail($"wdd did not stop within {s_stopTimeout.TotalSeconds} s of SIGTERM:\n{Log}");
            }

            string log = Log;
            _output?.WriteLine($"--- wdd {Pid} log ---\n{log}");
            if (_killed)
            {
                return; // killed on purpose: it left its files behind, as a killed broker does
            }

            Assert.True(wasAlive, $"wdd {Pid} had died before the test ended (exit {_process.ExitCode}):\n{log}");
            Assert.True(_process.ExitCode == 0, $"wdd exited with {_process.ExitCode} after SIGTERM:\n{log}");
            Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(RunDirectory, "wdd.pid")), "wdd.pid left behind");
            string devices = WdRunDirectory.DeviceDirectory(RunDirectory);
            Assert.Empty(Directory.Exists(devices) ? Directory.GetFileSystemEntries(devices) : []);
            string stats = WdRunDirectory.StatsDirectory(RunDirectory);
            // Its counters file (a broker killed on this directory before left its own, which wd top removes).
            Assert.DoesNotContain(Directory.Exists(stats) ? Directory.GetFileSystemEntries(stats) : [],
                f => Path.GetFileName(f).StartsWith($"{Pid}-", StringComparison.Ordinal));
        }
        finally
        {
            _process.Dispose();
            if (!KeepRunDirectory)
            {
                Directory.Delete(RunDirectory, recursive: true);
            }
        }
    }
}
