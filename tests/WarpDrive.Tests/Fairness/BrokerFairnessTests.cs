using System.Globalization;
using WarpDrive.Abi.Stats;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Fairness;

/// <summary>Real wdd, real client processes under their own uids: a flood of the largest requests a client may send,
/// on every queue it may open, beside a polite client; and two users of weights 1 and 3 sharing one engine.
/// The figures go to docs/RELIABILITY.md.</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerFairnessTests(ITestOutputHelper output)
{
    private const uint Flooder = 65534, Other = 65533;

    [RootFact]
    public async Task AFloodOfMaxSizeRequestsOnEveryQueueLeavesAPoliteClientsNoOpP99Under50Ms()
    {
        // One engine, so that the flood and the polite client share it; max_request_bytes at its default (64 MiB).
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "workers": 1 } ] }""", output);
        await using ChildProcess flood = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll",
            ["flood", (64 << 20).ToString(CultureInfo.InvariantCulture), "9", "2", "16"], asUser: Flooder);
        string ready = await flood.ReadLineAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("ready ", ready, StringComparison.Ordinal);
        int floodQueues = int.Parse(ready[6..], CultureInfo.InvariantCulture);
        Assert.True(floodQueues >= 2, ready);
        await Task.Delay(TimeSpan.FromSeconds(1)); // the flood's rings are full and the bulk lane busy

        await using ChildProcess polite = broker.StartTestClient("latency", "5");
        Assert.Equal(0, await polite.WaitForExitAsync(TimeSpan.FromSeconds(120)));
        string line = await polite.ReadLineAsync(TimeSpan.FromSeconds(5));
        output.WriteLine($"flood on {floodQueues} queues of 64 MiB level-9 requests, 2 in flight each; polite client: {line}");
        double p99 = Field(line, "p99_ms");
        Assert.True(p99 < 50, $"polite no-op p99 {p99} ms beside the flood ({line})");
        // The flood is killed when disposed: the broker drops its waiting requests with its queues.
    }

    [RootFact]
    public async Task TwoUsersOfWeights1And3GetEngineTime1To3Within10Percent()
    {
        string config = $$"""
            {
              "devices": [ { "name": "zip-0", "workers": 1 } ],
              "scheduling": { "weights": { "{{Other}}": 3 } },
            }
            """;
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        string[] args = ["flood", (64 << 10).ToString(CultureInfo.InvariantCulture), "1", "200", "1"];
        await using ChildProcess light = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll", args, asUser: Flooder);
        await using ChildProcess heavy = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll", args, asUser: Other);
        Assert.Equal("ready 1", await light.ReadLineAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("ready 1", await heavy.ReadLineAsync(TimeSpan.FromSeconds(60)));
        await Task.Delay(TimeSpan.FromSeconds(1));

        Dictionary<uint, ulong> before = EngineNanosByUser(broker);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Dictionary<uint, ulong> after = EngineNanosByUser(broker);
        double lightTime = (after[Flooder] - before[Flooder]) / 1e9, heavyTime = (after[Other] - before[Other]) / 1e9;
        double ratio = heavyTime / lightTime;
        output.WriteLine($"engine time over 4 s: uid {Other} (weight 3) {heavyTime:F3} s, uid {Flooder} (weight 1) {lightTime:F3} s, ratio {ratio:F2}");
        Assert.True(ratio is > 2.7 and < 3.3, $"weight 3 : weight 1 engine time = {heavyTime:F3} s : {lightTime:F3} s = {ratio:F2}");

        light.CloseStdin();
        heavy.CloseStdin();
        Assert.Equal(0, await light.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(0, await heavy.WaitForExitAsync(TimeSpan.FromSeconds(60)));
    }

    /// <summary>Engine nanoseconds of the queues each user holds now, from the broker's stats file.</summary>
    private static Dictionary<uint, ulong> EngineNanosByUser(BrokerProcess broker)
    {
        foreach (string file in Directory.GetFiles(Path.Combine(broker.RunDirectory, "stats")))
        {
            if (StatsFileReader.TryRead(file, out StatsSnapshot? stats, out _) && stats.Pid == broker.Pid)
            {
                return stats.Devices.SelectMany(d => d.Queues).Where(q => q.State == QueueStatsState.Started)
                    .GroupBy(q => q.OwnerUid).ToDictionary(g => g.Key, g => (ulong)g.Sum(q => (long)q.BusyNanos));
            }
        }

        throw new InvalidOperationException("the broker publishes no stats file");
    }

    private static double Field(string line, string name) =>
        double.Parse(line.Split(' ').Single(f => f.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
}
