using System.Diagnostics;
using System.Text;

namespace WarpDrive.Tests.Stress;

/// <summary>Runs a piece of work on its own thread and fails the test, instead of hanging it, when the work does not
/// finish in time: the failure carries every managed thread's stack (<c>dotnet-stack report</c>, which
/// scripts/setup.sh installs under <c>.tools/</c>) and what the caller's state function says of the system under test.</summary>
internal static class StallWatchdog
{
    /// <summary>Runs <paramref name="work"/>; rethrows what it throws; fails when it runs past <paramref name="limit"/>
    /// (the thread is left behind: it is a background thread, and the test has failed).</summary>
    public static void Run(string what, TimeSpan limit, Action work, Func<string>? state = null)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                work();
            }
            catch (Exception e)
            {
                error = e;
            }
        })
        {
            IsBackground = true,
            Name = $"stress: {what}",
        };
        thread.Start();
        if (!thread.Join(limit))
        {
            Assert.Fail($"{what} did not finish within {limit.TotalSeconds:0} s: a request that never completes.\n"
                + $"State: {Describe(state)}\n{Stacks()}");
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    private static string Describe(Func<string>? state)
    {
        try
        {
            return state?.Invoke() ?? "(none)";
        }
        catch (Exception e)
        {
            return $"(could not read: {e.Message})";
        }
    }

    /// <summary>Every managed thread's stack of this process, from <c>dotnet-stack report</c> (an EventPipe session:
    /// it needs no ptrace and works on a process whose threads all sleep).</summary>
    public static string Stacks()
    {
        string? tool = FindTool();
        if (tool is null)
        {
            return "Thread stacks: dotnet-stack is not installed (scripts/setup.sh puts it in .tools/).";
        }

        try
        {
            var psi = new ProcessStartInfo(tool, $"report -p {Environment.ProcessId}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process p = Process.Start(psi)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill();
                return "Thread stacks: dotnet-stack did not answer within 60 s.";
            }

            var text = new StringBuilder("Thread stacks (dotnet-stack):\n");
            text.Append(stdout.Result).Append(stderr.Result);
            return text.ToString();
        }
        catch (Exception e)
        {
            return $"Thread stacks: dotnet-stack failed: {e.Message}";
        }
    }

    private static string? FindTool()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, ".tools", "dotnet-stack");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
