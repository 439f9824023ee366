using System.Diagnostics;
using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>One client process: <c>dotnet WarpDrive.Soak.dll client ...</c> with <c>WD_RUN_DIR</c> and
/// <c>WD_MODE=broker</c>. Its <c>stats</c> and <c>final</c> lines are parsed as they come; its stderr goes to the
/// shared client log, each line prefixed with its name.</summary>
internal sealed class ClientProcess : IDisposable
{
    private readonly Process _process;
    private readonly TextWriter _log;
    private readonly Lock _lock = new();
    private LedgerCounts _last;
    private LedgerCounts? _final;

    private ClientProcess(Process process, string name, TextWriter log)
    {
        _process = process;
        Name = name;
        _log = log;
    }

    /// <summary>Its name, e.g. <c>c2.5</c>.</summary>
    public string Name { get; }

    /// <summary>Its pid.</summary>
    public int Pid => _process.Id;

    /// <summary>The counts of its latest <c>stats</c> or <c>final</c> line.</summary>
    public LedgerCounts Last
    {
        get
        {
            lock (_lock)
            {
                return _last;
            }
        }
    }

    /// <summary>The counts of its <c>final</c> line, once it has printed one.</summary>
    public LedgerCounts? Final
    {
        get
        {
            lock (_lock)
            {
                return _final;
            }
        }
    }

    /// <summary>Its exit code (once exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts a client that runs <paramref name="seconds"/>.</summary>
    public static ClientProcess Start(string runDirectory, string name, double seconds, int seed, TextWriter log)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in (string[])[Path.Combine(AppContext.BaseDirectory, "WarpDrive.Soak.dll"), "client",
                     "--seconds", seconds.ToString("F1", CultureInfo.InvariantCulture),
                     "--seed", seed.ToString(CultureInfo.InvariantCulture), "--name", name])
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[WarpDrive.Platform.RunDirectory.EnvironmentVariable] = runDirectory;
        psi.Environment["WD_MODE"] = "broker";
        var client = new ClientProcess(Process.Start(psi)!, name, log);
        client._process.OutputDataReceived += (_, e) => client.OnLine(e.Data);
        client._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                log.WriteLine($"{name} [{client.Pid}]: {e.Data}");
            }
        };
        client._process.BeginOutputReadLine();
        client._process.BeginErrorReadLine();
        return client;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        try
        {
            if (line.StartsWith("stats ", StringComparison.Ordinal))
            {
                LedgerCounts last = LedgerCounts.Parse(line["stats ".Length..]);
                lock (_lock)
                {
                    _last = last;
                }
            }
            else if (line.StartsWith("final ", StringComparison.Ordinal))
            {
                LedgerCounts final = LedgerCounts.Parse(line["final ".Length..]);
                lock (_lock)
                {
                    _final = final;
                    _last = final;
                }
            }
            else
            {
                _log.WriteLine($"{Name} [{Pid}] stdout: {line}");
            }
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or IndexOutOfRangeException)
        {
            _log.WriteLine($"{Name} [{Pid}]: unreadable line '{line}'");
        }
    }

    /// <summary>SIGKILL: the process dies at once, its queues and regions left for the broker to clean up.</summary>
    public void Kill() => _process.Kill();

    /// <summary>Closes its stdin, which tells it to stop early (it then drains and exits).</summary>
    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>Waits for it to exit; false if it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Kills it if it still runs.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
