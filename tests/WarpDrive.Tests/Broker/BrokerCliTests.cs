using System.Text.Json;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary><c>wd</c> against a broker, and <c>wdd</c>'s own refusals.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerCliTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WdListShowsTheBrokerDevice()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);

        ChildProcess table = await broker.RunWdAsync("list", "--mode", "broker");
        Assert.True(table.ExitCode == 0, table.Stderr);
        string row = Assert.Single(table.Stdout.Split('\n'), l => l.Contains("zip-0", StringComparison.Ordinal));
        Assert.Contains("broker", row, StringComparison.Ordinal);
        Assert.Contains("wd_ring_v1", row, StringComparison.Ordinal);

        ChildProcess json = await broker.RunWdAsync("list", "--mode", "broker", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        using JsonDocument doc = JsonDocument.Parse(json.Stdout);
        JsonElement device = Assert.Single(doc.RootElement.EnumerateArray());
        Assert.Equal("zip-0", device.GetProperty("name").GetString());
        Assert.Equal("broker", device.GetProperty("location").GetString());
        Assert.Equal("16", device.GetProperty("attributes").GetProperty("available_instances").GetString());
    }

    [Fact]
    public async Task ADevicesZstdAndLz4EnginesComeFromItsConfig()
    {
        await using (BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "zstd_engine": "zstdsharp", "lz4_engine": "k4os" } ] }""", output))
        {
            Assert.Equal("zstdsharp,k4os", broker.ReadAttribute("zip-0", "frame_engines"));
        }

        // A library the configuration names but this machine lacks (as if libzstd1 were not installed): exit 6, one
        // line that names the device and the key.
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => BrokerProcess.StartAsync(
            """{ "devices": [ { "name": "zip-0", "zstd_engine": "libzstd" } ] }""", output,
            environment: new Dictionary<string, string> { ["WD_DISABLE_LIBZSTD"] = "1" }));
        Assert.Contains("wdd exited with 6", e.Message, StringComparison.Ordinal);
        Assert.Contains("wdd: device zip-0: zstd_engine: the libzstd engine was asked for but libzstd.so.1 is not installed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WdDaemonIsTheBrokerToo()
    {
        // `wd daemon` runs the same broker in the foreground: it serves, and stops cleanly on SIGTERM (the fixture's
        // dispose checks exit code 0 and that the socket and pid file are gone).
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output, viaWd: true);
        string input = Path.Combine(broker.RunDirectory, "input");
        await File.WriteAllTextAsync(input, string.Concat(Enumerable.Repeat("wd daemon serves this line. ", 2000)));

        ChildProcess packed = await broker.RunWdAsync("compress", "--mode", "broker", "-o", input + ".gz", input);
        Assert.True(packed.ExitCode == 0, packed.Stderr);
        ChildProcess unpacked = await broker.RunWdAsync("decompress", "--mode", "broker", "-o", input + ".out", input + ".gz");
        Assert.True(unpacked.ExitCode == 0, unpacked.Stderr);
        Assert.Equal(await File.ReadAllBytesAsync(input), await File.ReadAllBytesAsync(input + ".out"));
    }

    [Fact]
    public async Task WdWithAnUnknownBrokerDeviceExits3WithOneLine()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        string input = Path.Combine(broker.RunDirectory, "input");
        await File.WriteAllTextAsync(input, "hello");

        ChildProcess wd = await broker.RunWdAsync("compress", "--device", "nosuch", "--mode", "broker", "-o", input + ".gz", input);

        Assert.Equal(3, wd.ExitCode);
        string error = wd.Stderr.TrimEnd('\n');
        output.WriteLine(error);
        Assert.Single(error.Split('\n'));
        Assert.Contains("nosuch", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(input + ".gz"));
    }

    [Fact]
    public async Task WddWithAnUnknownConfigKeyExits6NamingTheFile()
    {
        string dir = Directory.CreateTempSubdirectory("wdd-bad-").FullName;
        try
        {
            string config = Path.Combine(dir, "bad.json");
            await File.WriteAllTextAsync(config, "{\n  \"devices\": [ { \"name\": \"zip-0\", \"queus\": 4 } ]\n}\n");
            (int code, string stderr) = await BrokerTestKit.RunProgramAsync("dotnet", [BrokerProcess.Binary("wdd.dll"), "--config", config, "--run-dir", Path.Combine(dir, "run")]);
            output.WriteLine(stderr);
            Assert.Equal(6, code);
            string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains(config, line, StringComparison.Ordinal);
            Assert.Contains("queus", line, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(dir, "run", "wdd.pid")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ASecondWddOnTheSameRunDirectoryExits4AndLeavesTheFirstServing()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);

        (int code, string stderr) = await BrokerTestKit.RunProgramAsync("dotnet", [BrokerProcess.Binary("wdd.dll"), "--config", broker.ConfigPath, "--run-dir", broker.RunDirectory]);
        output.WriteLine(stderr);
        Assert.Equal(4, code);
        string error = stderr.TrimEnd('\n');
        Assert.Contains("another wdd", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n'));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        // The first broker still owns its sockets and pid file, and serves.
        Assert.True(broker.IsAlive);
        Assert.Equal($"{broker.Pid}\n", await File.ReadAllTextAsync(Path.Combine(broker.RunDirectory, "wdd.pid")));
        ChildProcess list = await broker.RunWdAsync("list", "--mode", "broker");
        Assert.True(list.ExitCode == 0, list.Stderr);
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        BrokerTestKit.AssertRoundTrip(runtime, queue, TestData.Text(10_000, seed: 81));
    }

    [Fact]
    public async Task ASocketGroupThatDoesNotExistIsAConfigurationErrorAndLeavesNoSocket()
    {
        string dir = Directory.CreateTempSubdirectory("wdd-group-").FullName;
        try
        {
            string config = Path.Combine(dir, "wdd.json");
            await File.WriteAllTextAsync(config, """{ "devices": [ { "name": "zip-0" }, { "name": "zip-1", "socket_group": "no-such-group-wd" } ] }""");
            string run = Path.Combine(dir, "run");
            (int code, string stderr) = await BrokerTestKit.RunProgramAsync("dotnet", [BrokerProcess.Binary("wdd.dll"), "--config", config, "--run-dir", run]);
            output.WriteLine(stderr);
            Assert.Equal(6, code);
            // zip-0 started (and logged so) before zip-1 failed; the error itself is one line.
            string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'), l => l.StartsWith("wdd: ", StringComparison.Ordinal));
            Assert.Contains("no-such-group-wd", line, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Parameter", line, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(run, "dev"))); // neither zip-0's socket nor zip-1's
            Assert.False(File.Exists(Path.Combine(run, "wdd.pid")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ABrokerKilledWithSigkillIsNotListed()
    {
        // SIGKILL leaves the tree and the sockets behind; the pid file names a process that is gone.
        string run = Directory.CreateTempSubdirectory("wdd-killed-").FullName;
        try
        {
            using var wdd = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [BrokerProcess.Binary("wdd.dll"), "--run-dir", run])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            })!;
            Assert.True(await BrokerTestKit.EventuallyAsync(() => File.Exists(Path.Combine(run, "wdd.pid")), TimeSpan.FromSeconds(20)), "wdd did not start");
            NativeTestMethods.Signal(wdd.Id, NativeTestMethods.SIGKILL);
            await wdd.WaitForExitAsync();
            Assert.True(File.Exists(Path.Combine(run, "dev", "zip-0")));

            (int code, string stderr) = await BrokerTestKit.RunProgramAsync("env", [$"WD_RUN_DIR={run}", "dotnet", BrokerProcess.Binary("wd.dll"), "list", "--mode", "broker"]);
            output.WriteLine(stderr);
            Assert.Equal(3, code);
            Assert.Contains("no broker runs", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }
}
