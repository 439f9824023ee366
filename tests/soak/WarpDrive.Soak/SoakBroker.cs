using System.Diagnostics;
using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>The real <c>wdd</c> of the soak: <c>dotnet wdd.dll --config F --run-dir D</c> on a fresh private run
/// directory, with one ZIP, one SEC and one HPRE device and limits high enough for every client to hold its queues
/// and regions (all clients run as the same user). Its log goes to <c>wdd.log</c> in the output folder.</summary>
internal sealed class SoakBroker : IDisposable
{
    /// <summary>The configuration the soak runs (docs/BROKER-CONFIG.md).</summary>
    public const string Config = """
        {
          "devices": [
            { "name": "zip-0", "model": "zip", "queues": 128 },
            { "name": "sec-0", "model": "sec", "queues": 128 },
            { "name": "hpre-0", "model": "hpre", "queues": 64 },
          ],
          "limits": { "max_queues_per_user": 1024, "max_connections_per_user": 1024, "max_shared_bytes_per_user": "2GiB" },
        }
        """;

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly StreamWriter _log;

    private SoakBroker(Process process, string runDirectory, StreamWriter log)
    {
        _process = process;
        RunDirectory = runDirectory;
        _log = log;
    }

    /// <summary>The broker's run directory (what the clients get as <c>WD_RUN_DIR</c>).</summary>
    public string RunDirectory { get; }

    /// <summary>The broker's pid.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it still runs.</summary>
    public bool IsAlive => !_process.HasExited;

    /// <summary>Starts it and waits for its pid file.</summary>
    /// <exception cref="InvalidOperationException">It exited or was not ready within 30 s.</exception>
    public static async Task<SoakBroker> StartAsync(string outputDirectory)
    {
        string directory = Directory.CreateTempSubdirectory("wd-soak-").FullName;
        File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        string configPath = Path.Combine(directory, "wdd.json");
        await File.WriteAllTextAsync(configPath, Config);
        await File.WriteAllTextAsync(Path.Combine(outputDirectory, "wdd.json"), Config);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "wdd.dll"), "--config", configPath, "--run-dir", directory])
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[WarpDrive.Platform.RunDirectory.EnvironmentVariable] = directory;
        var log = new StreamWriter(Path.Combine(outputDirectory, "wdd.log")) { AutoFlush = true };
        var broker = new SoakBroker(Process.Start(psi)!, directory, log);
        broker._process.ErrorDataReceived += (_, e) => broker.Append(e.Data);
        broker._process.OutputDataReceived += (_, e) => broker.Append(e.Data);
        broker._process.BeginErrorReadLine();
        broker._process.BeginOutputReadLine();
        string pidFile = Path.Combine(directory, "wdd.pid");
        var clock = Stopwatch.StartNew();
        while (!File.Exists(pidFile) || !(await File.ReadAllTextAsync(pidFile)).EndsWith('\n'))
        {
            if (broker._process.HasExited || clock.Elapsed > s_startTimeout)
            {
                broker.Dispose();
                throw new InvalidOperationException($"wdd {(broker._process.HasExited ? "exited" : "was not ready within 30 s")}; see wdd.log");
            }

            await Task.Delay(20);
        }

        return broker;
    }

    /// <summary>Sends SIGTERM and waits (at most <paramref name="timeout"/>) for the broker to exit.</summary>
    /// <returns>Its exit code, or null if it had to be killed.</returns>
    public async Task<int?> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
            return null;
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>Kills it if it still runs and removes the run directory.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.WaitForExit(); // the last log lines
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }

        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // left behind in /tmp
        }
    }
}
