using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using WarpDrive.Abi;
using WarpDrive.Platform;
using Xunit.Abstractions;
using WdRunDirectory = WarpDrive.Platform.RunDirectory;

namespace WarpDrive.Tests.Broker;

/// <summary><c>wdd</c> as a systemd <c>Type=notify</c> service (docs/DEPLOYMENT.md): started by a real process with
/// <c>NOTIFY_SOCKET</c> naming a datagram socket this test binds, it sends <c>READY=1</c> only once it serves (a
/// client connects, opens a queue and compresses, and <c>wd list --mode broker</c> lists its device, right after the
/// datagram arrives), then on SIGTERM <c>STOPPING=1</c>, and exits 0 with its sockets and pid file removed.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class SystemdNotifyTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    /// <summary><paramref name="underSystemd"/>: the command line of packaging/systemd/wdd.service (<c>wd daemon</c>
    /// with packaging/wdd.json: zip-0, sec-0, hpre-0) whose parent process is named <c>systemd</c> (a copy of
    /// <c>/bin/sh</c> by that name), so Microsoft.Extensions.Hosting.Systemd takes it for a systemd service
    /// (<c>AddSystemd</c>: the systemd lifetime and log format). Otherwise <c>wdd</c> with one device and only
    /// <c>NOTIFY_SOCKET</c> set, as by another supervisor: wdd's own notifier on the console lifetime sends the same
    /// messages.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WddNotifiesReadyOnceItServesAndStoppingOnSigterm(bool underSystemd)
    {
        string directory = Directory.CreateTempSubdirectory("wdd-notify-").FullName;
        try
        {
            await RunAsync(directory, underSystemd);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task RunAsync(string directory, bool underSystemd)
    {
        string run = Directory.CreateDirectory(Path.Combine(directory, "run")).FullName;
        string[] command;
        int devices;
        if (underSystemd)
        {
            // The command line of packaging/systemd/wdd.service with its configuration packaging/wdd.json: `wd daemon`,
            // with the paths of this test instead of /etc/warpdrive and /run/warpdrive.
            (command, devices) = (UnitCommand(run), 3);
        }
        else
        {
            string config = Path.Combine(directory, "wdd.json");
            await File.WriteAllTextAsync(config, BrokerProcess.DefaultConfig);
            (command, devices) = (["dotnet", BrokerProcess.Binary("wdd.dll"), "--config", config, "--run-dir", run], 1);
        }

        string notifyPath = Path.Combine(directory, "notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] wdd = command;
        if (underSystemd)
        {
            // "$0" "$@"; exit $?: the shell forks wdd (no exec as the last command) and hands back its exit code.
            string systemd = Path.Combine(directory, "systemd");
            File.Copy("/bin/sh", systemd);
            File.SetUnixFileMode(systemd, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            psi.FileName = systemd;
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("\"$0\" \"$@\"; exit $?");
        }
        else
        {
            psi.FileName = wdd[0];
            wdd = wdd[1..];
        }

        foreach (string arg in wdd)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment[ServiceNotifySocket] = notifyPath;
        psi.Environment[WdRunDirectory.EnvironmentVariable] = run;
        var log = new StringBuilder();
        using Process process = Process.Start(psi)!;
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var clock = Stopwatch.StartNew();
            string ready = await ReceiveUntilAsync(notify, "READY=1", process, log);
            // At this moment, before anything else: the broker serves.
            string socketPath = WdRunDirectory.DeviceSocket(run, "zip-0");
            using (UnixSeqPacketSocket.Connect(socketPath))
            {
            }

            string pidFile = Path.Combine(run, "wdd.pid");
            Assert.True(File.Exists(pidFile), "READY=1 before the pid file was written");
            int pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            output.WriteLine($"READY=1 after {clock.ElapsedMilliseconds} ms from wdd {pid} ({(underSystemd ? "parent systemd" : "NOTIFY_SOCKET only")}): {ready.ReplaceLineEndings(" | ")}");
            // The status line for systemctl status (under systemd a datagram of its own, which may come second).
            string serving = $"STATUS=serving {devices} device(s) in {run}";
            if (!ready.Split('\n').Contains(serving))
            {
                ready += await ReceiveUntilAsync(notify, serving, process, log);
            }
            using (var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = run }))
            using (WdQueue queue = runtime.RequestQueue("gzip"))
            {
                BrokerTestKit.AssertRoundTrip(runtime, queue, Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("ready means serving. ", 500))));
            }

            (int code, string stdout, string stderr) = CliRunner.Wd("list --mode broker", env: new() { [WdRunDirectory.EnvironmentVariable] = run });
            Assert.True(code == 0, stderr);
            Assert.Contains(stdout.Split('\n'), l => l.Contains("zip-0", StringComparison.Ordinal) && l.Contains("broker", StringComparison.Ordinal));

            if (underSystemd)
            {
                Assert.NotEqual(process.Id, pid); // the shell's child
            }
            else
            {
                Assert.Equal(process.Id, pid);
            }

            // Under systemd, systemd's log format: a syslog priority prefix for journald, no timestamp of its own. (The
            // console logger writes from a queue: the line may trail the start.)
            string serviceLine = underSystemd ? "<6>WarpDrive.Broker.BrokerService[1] wdd " : "info: WarpDrive.Broker.BrokerService[1] wdd ";
            Assert.True(await BrokerTestKit.EventuallyAsync(() => Lines(log).Any(l => underSystemd ? l.StartsWith(serviceLine, StringComparison.Ordinal) : l.Contains(serviceLine, StringComparison.Ordinal)), TimeSpan.FromSeconds(5)),
                $"no line '{serviceLine}...' in the log:\n{Snapshot(log)}");

            // A client that holds a started queue through the shutdown: the broker disables it before it goes.
            using var client = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = run });
            using WdQueue held = client.RequestQueue("gzip");
            BrokerTestKit.AssertRoundTrip(client, held, Encoding.ASCII.GetBytes("held through the shutdown"));
            NativeTestMethods.Signal(pid, NativeTestMethods.SIGTERM);
            clock.Restart();
            string stopping = await ReceiveUntilAsync(notify, "STOPPING=1", process, log);
            output.WriteLine($"STOPPING=1 {clock.ElapsedMilliseconds} ms after SIGTERM: {stopping.ReplaceLineEndings(" | ")}");
            using var exited = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await process.WaitForExitAsync(exited.Token);
            output.WriteLine($"exited {process.ExitCode} {clock.ElapsedMilliseconds} ms after SIGTERM\n{log}");
            Assert.True(process.ExitCode == 0, $"wdd exited with {process.ExitCode} after SIGTERM:\n{log}");
            Assert.DoesNotContain("Unhandled exception", log.ToString(), StringComparison.Ordinal);
            Assert.False(File.Exists(pidFile), "wdd.pid left behind");
            Assert.False(File.Exists(socketPath), "the device socket left behind");
            // The status word in the ring region the client still maps says why (docs/DEPLOYMENT.md, "Stopping").
            Assert.Equal((uint)QueueState.Disabled, Volatile.Read(ref held.Region.State));
            Assert.Equal((uint)QueueDisableReason.BrokerExit, Volatile.Read(ref held.Region.DisableReason));
            Assert.Equal(QueueState.Disabled, held.State);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public void UnitFileIsTypeNotifyRunsWdDaemonOnItsRuntimeDirectoryAndItsConfigParses()
    {
        Dictionary<string, string> unit = UnitSettings();
        Assert.Equal("notify", unit["Type"]);
        Assert.Equal("warpdrive", unit["RuntimeDirectory"]);
        string[] exec = unit["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["daemon", "--config", "/etc/warpdrive/wdd.json", "--run-dir", "/run/warpdrive"], exec[1..]);
        Assert.EndsWith("/wd", exec[0], StringComparison.Ordinal);
        Assert.Equal(3, WarpDrive.Broker.Configuration.BrokerConfig.Load(Path.Combine(RepositoryRoot(), "packaging", "wdd.json")).Devices.Count);
    }

    /// <summary>The unit's ExecStart as this test runs it: <c>dotnet wd.dll</c> for the installed tool's launcher,
    /// packaging/wdd.json for /etc/warpdrive/wdd.json, <paramref name="run"/> for /run/warpdrive.</summary>
    private static string[] UnitCommand(string run)
    {
        string[] exec = UnitSettings()["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string config = Path.Combine(RepositoryRoot(), "packaging", "wdd.json");
        return ["dotnet", BrokerProcess.Binary("wd.dll"), .. exec[1..].Select(a => a switch
        {
            "/etc/warpdrive/wdd.json" => config,
            "/run/warpdrive" => run,
            _ => a,
        })];
    }

    /// <summary>The key=value lines of packaging/systemd/wdd.service (the last one of a key wins).</summary>
    private static Dictionary<string, string> UnitSettings()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in File.ReadLines(Path.Combine(RepositoryRoot(), "packaging", "systemd", "wdd.service")))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && !line.StartsWith('#'))
            {
                settings[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }

        return settings;
    }

    private static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "WarpDrive.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        return root.FullName;
    }

    private const string ServiceNotifySocket = "NOTIFY_SOCKET";

    /// <summary>Datagrams until one holds the line <paramref name="line"/>; all of them, joined. Fails when wdd exits
    /// first or nothing comes within 20 s.</summary>
    private static async Task<string> ReceiveUntilAsync(Socket socket, string line, Process process, StringBuilder log)
    {
        var received = new StringBuilder();
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(s_timeout);
        while (true)
        {
            Task<int> receive = socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            Task exited = process.WaitForExitAsync(timeout.Token);
            Task first = await Task.WhenAny(receive, exited);
            if (first == exited && !receive.IsCompleted)
            {
                await Task.Delay(100); // a datagram sent just before the exit
                if (!receive.IsCompleted)
                {
                    Assert.Fail($"wdd exited ({(process.HasExited ? process.ExitCode : -1)}) before it sent {line}; received '{received}':\n{Snapshot(log)}");
                }
            }

            int n;
            try
            {
                n = await receive;
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no {line} within {s_timeout.TotalSeconds} s; received '{received}':\n{Snapshot(log)}");
                throw;
            }

            string message = Encoding.UTF8.GetString(buffer, 0, n);
            received.Append(message).Append('\n');
            if (message.Split('\n').Contains(line))
            {
                return received.ToString();
            }
        }
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.Append(line).Append('\n');
            }
        }
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static string[] Lines(StringBuilder log) => Snapshot(log).Split('\n');
}
