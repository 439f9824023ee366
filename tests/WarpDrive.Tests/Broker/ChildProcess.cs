using System.Diagnostics;
using System.Text;
using System.Threading.Channels;
using WdRunDirectory = WarpDrive.Platform.RunDirectory;

namespace WarpDrive.Tests.Broker;

/// <summary>A client process (<c>dotnet X.dll args</c>) with <c>WD_RUN_DIR</c> set to the broker's run directory:
/// its stdout lines can be awaited one by one, its stderr is collected, its stdin can be closed, and it can be sent
/// signals. Disposing kills it if it still runs.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private ChildProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
    }

    /// <summary>What was started (for messages).</summary>
    public string CommandLine { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet &lt;dll&gt; args</c> from the test output directory; <paramref name="asUser"/> runs it
    /// under <c>setpriv --reuid=U --regid=U --clear-groups</c> (root only).</summary>
    public static ChildProcess Start(string runDirectory, string dll, IEnumerable<string> args, uint? asUser = null, IDictionary<string, string>? environment = null)
    {
        List<string> argv = [];
        if (asUser is { } uid)
        {
            argv.AddRange(["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups"]);
        }

        argv.AddRange(["dotnet", BrokerProcess.Binary(dll), .. args]);
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string arg in argv.Skip(1))
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[WdRunDirectory.EnvironmentVariable] = runDirectory;
        psi.Environment["WD_MODE"] = "broker";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var child = new ChildProcess(Process.Start(psi)!, string.Join(' ', argv.Skip(argv.IndexOf("dotnet") + 1).Select(Path.GetFileName)));
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
                return;
            }

            lock (child._stdout)
            {
                child._stdout.Append(e.Data).Append('\n');
            }

            child._lines.Writer.TryWrite(e.Data);
        };
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (child._stderr)
                {
                    child._stderr.Append(e.Data).Append('\n');
                }
            }
        };
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The next line the process writes to stdout.</summary>
    /// <exception cref="Xunit.Sdk.XunitException">None came within <paramref name="timeout"/> or the process ended.</exception>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{CommandLine}: no output line within {timeout.TotalSeconds} s; stderr:\n{Stderr}");
            throw;
        }
        catch (ChannelClosedException)
        {
            await _process.WaitForExitAsync();
            Assert.Fail($"{CommandLine}: exited with {_process.ExitCode} before writing a line; stderr:\n{Stderr}");
            throw;
        }
    }

    /// <summary>Closes the process's stdin (the TestClient's "let go" signal).</summary>
    public void CloseStdin() => _process.StandardInput.Close();

    /// <summary>Sends <paramref name="signal"/> (SIGKILL, SIGTERM, ...).</summary>
    public void Signal(int signal) => NativeTestMethods.Signal(_process.Id, signal);

    /// <summary>Waits for the process to end and its output to be read.</summary>
    /// <returns>The exit code.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{CommandLine}: still running after {timeout.TotalSeconds} s; stderr:\n{Stderr}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
