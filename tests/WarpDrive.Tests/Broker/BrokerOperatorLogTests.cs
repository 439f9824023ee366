using WarpDrive.Platform;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>What a real wdd tells its operator (issue 20): each device's real engine at start-up, the missing ISA-L,
/// and clients arriving, exiting (SIGKILL) and leaving while they live on.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerOperatorLogTests(ITestOutputHelper output)
{
    private const string Config = """{ "devices": [ { "name": "zip-0" }, { "name": "sec-0", "model": "sec" }, { "name": "hpre-0", "model": "hpre" } ] }""";

    [Fact]
    public async Task Start_up_lines_name_each_devices_engine_and_the_missing_isal()
    {
        // WD_DISABLE_ISAL=1: as if libisal2 were not installed, whether or not this machine has it.
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output, environment: new Dictionary<string, string> { ["WD_DISABLE_ISAL"] = "1" });
        string log = await StartedLogAsync(broker);
        string zip = Line(log, "zip-0: "), sec = Line(log, "sec-0: "), hpre = Line(log, "hpre-0: ");
        Assert.Contains("on zlib (ISA-L (libisal2) is not installed", zip, StringComparison.Ordinal);
        Assert.Contains("apt-get install libisal2", zip, StringComparison.Ordinal);
        foreach (string line in (string[])[sec, hpre])
        {
            Assert.Matches(@" on OpenSSL \d+\.\d+\.\d+ via System\.Security\.Cryptography, BouncyCastle \d+\.\d+\.\d+ for the rest,", line);
            Assert.DoesNotContain("isal", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_the_hook_the_zip_line_says_what_this_machine_has()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        string zip = Line(await StartedLogAsync(broker), "zip-0: ");
        if (Devices.Engines.DeflateEngine.IsalMissing)
        {
            Assert.Contains(" on zlib (ISA-L (libisal2) is not installed", zip, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(" on isal,", zip, StringComparison.Ordinal);
            Assert.DoesNotContain("libisal2", zip, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_client_is_logged_when_it_arrives_when_it_is_killed_and_when_it_leaves_alive()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        uint uid = ProcessControl.GetUid();

        await using (ChildProcess holder = broker.StartTestClient("hold", "1"))
        {
            Assert.Equal("ready", await holder.ReadLineAsync(TimeSpan.FromSeconds(30)));
            string who = $"client {holder.Pid} ({ProcessControl.ReadCommand(holder.Pid)}, uid {uid})";
            Assert.True(await broker.LoggedAsync($"{who} connected to zip-0"), broker.Log);
            Assert.DoesNotContain($"{who} exited", broker.Log, StringComparison.Ordinal);
            holder.Signal(NativeTestMethods.SIGKILL);
            Assert.Equal(137, await holder.WaitForExitAsync(TimeSpan.FromSeconds(10)));
            Assert.True(await broker.LoggedAsync($"{who} exited: its connections, queues and regions are released"), broker.Log);
            Assert.DoesNotContain($"{who} closed its last connection", broker.Log, StringComparison.Ordinal);
        }

        // This process connects, closes every connection and goes on living.
        string me = $"client {Environment.ProcessId} ({ProcessControl.ReadCommand(Environment.ProcessId)}, uid {uid})";
        using (WdRuntime runtime = broker.CreateRuntime())
        {
            using WdQueue queue = runtime.RequestQueue("gzip");
            Assert.True(await broker.LoggedAsync($"{me} connected to zip-0"), broker.Log);
        }

        Assert.True(await broker.LoggedAsync($"{me} closed its last connection and lives on"), broker.Log);
        Assert.DoesNotContain($"{me} exited", broker.Log, StringComparison.Ordinal);
    }

    /// <summary>The log once wdd says it serves (the console logger writes on its own thread, after the pid file).</summary>
    private static async Task<string> StartedLogAsync(BrokerProcess broker)
    {
        Assert.True(await broker.LoggedAsync($"wdd {broker.Pid} serving"), broker.Log);
        return broker.Log;
    }

    private static string Line(string log, string prefix) =>
        Assert.Single(log.Split('\n'), l => l.Contains(prefix, StringComparison.Ordinal) && l.Contains("queues x depth", StringComparison.Ordinal));
}
