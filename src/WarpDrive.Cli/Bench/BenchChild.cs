using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Cli.Bench;

/// <summary>A child process of <c>wd bench</c> (the private broker, the socket server): its output is collected line
/// by line, and it is stopped with SIGTERM (then SIGKILL) when the run ends, whatever the reason.</summary>
internal sealed class BenchChild : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];

    public BenchChild(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ProcessStartInfo psi = SelfProcess.StartInfo(arguments);
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        _process = new Process { StartInfo = psi };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The last non-empty line it wrote (stdout or stderr), or a note that it wrote none.</summary>
    public string LastLine
    {
        get
        {
            lock (_lines)
            {
                return _lines.LastOrDefault(l => l.Trim().Length > 0) ?? "(no output)";
            }
        }
    }

    /// <summary>Whether it wrote the line <paramref name="text"/>.</summary>
    public bool Wrote(string text)
    {
        lock (_lines)
        {
            return _lines.Contains(text);
        }
    }

    /// <summary>Waits until <paramref name="ready"/> holds; false when the process exited first or the time ran out.</summary>
    public bool WaitUntil(Func<bool> ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (_process.HasExited || clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    /// <summary>Waits up to <paramref name="grace"/> for it to exit by itself, then SIGTERM, then SIGKILL.</summary>
    public void Stop(TimeSpan grace)
    {
        if (!_process.WaitForExit(grace))
        {
            ProcessSignal.Send(_process.Id, ProcessSignal.Terminate);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }

        _process.WaitForExit(); // drains the output readers
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Stop(TimeSpan.Zero);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }
}
