using System.Globalization;
using System.Numerics;

namespace WarpDrive.Cli.Bench;

/// <summary>The broker of the broker modes: <c>wd daemon</c> started as a child on a fresh temporary run directory,
/// with one device for the measured algorithm whose <c>memory</c> is <c>sva</c> or <c>share</c> only. Disposing it
/// stops it (SIGTERM) and removes the directory.</summary>
internal sealed class PrivateBroker : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);
    private readonly BenchChild _child;

    private PrivateBroker(BenchChild child, string runDirectory)
    {
        _child = child;
        RunDirectory = runDirectory;
    }

    public string RunDirectory { get; }

    public int Pid => _child.Pid;

    /// <summary>Starts it and waits for its pid file.</summary>
    /// <exception cref="WdException">It exited or did not get ready in time (the message ends with its last log line).</exception>
    public static PrivateBroker Start(BenchSettings settings, bool share)
    {
        string directory = Directory.CreateTempSubdirectory("wd-bench-").FullName;
        string model = settings.Algorithm.Kind switch
        {
            BenchAlgorithmKind.Nop or BenchAlgorithmKind.Compression => "zip",
            BenchAlgorithmKind.RsaSign => "hpre",
            _ => "sec",
        };
        int queues = Math.Clamp((settings.Threads * settings.Contexts) + 4, 16, 1024);
        int depth = Math.Clamp((int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(settings.Depth, 256)), 2, 4096);
        string workers = settings.Workers is { } w ? string.Create(CultureInfo.InvariantCulture, $", \"workers\": {w}") : "";
        string config = string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "devices": [ { "name": "{{model}}-0", "model": "{{model}}", "memory": "{{(share ? "share" : "sva")}}", "queues": {{queues}}, "queue_depth": {{depth}}{{workers}} } ],
              "limits": { "max_queues_per_user": 4096, "max_shared_bytes_per_user": "16GiB", "max_request_bytes": "64MiB" }
            }
            """);
        string configPath = Path.Combine(directory, "wdd.json");
        File.WriteAllText(configPath, config);
        var child = new BenchChild(["daemon", "--config", configPath, "--run-dir", directory],
            // Not a service of whatever supervises wd: the child must not tell it READY=1 (docs/DEPLOYMENT.md).
            new Dictionary<string, string> { [RunDirectoryVariable] = directory, ["NOTIFY_SOCKET"] = "" });
        var broker = new PrivateBroker(child, directory);
        string pidFile = Path.Combine(directory, "wdd.pid");
        if (!child.WaitUntil(() => File.Exists(pidFile) && File.ReadAllText(pidFile).EndsWith('\n'), s_startTimeout))
        {
            string why = child.HasExited ? "exited" : $"was not ready within {s_startTimeout.TotalSeconds:F0} s";
            string last = child.LastLine;
            broker.Dispose();
            throw new WdException($"the private broker {why}: {last}");
        }

        return broker;
    }

    private static string RunDirectoryVariable => WarpDrive.Platform.RunDirectory.EnvironmentVariable;

    public void Dispose()
    {
        _child.Stop(TimeSpan.Zero);
        _child.Dispose();
        try
        {
            Directory.Delete(RunDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in /tmp; nothing else depends on it.
        }
    }
}
