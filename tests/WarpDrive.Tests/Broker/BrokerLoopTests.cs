using System.Diagnostics;
using WarpDrive.Abi.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>One client's slow work never stalls the broker's loop for the others: making and unmapping a large
/// shared region happen on workers.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerLoopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task LargeRegionAllocAndFreeDoNotStallAnotherClientsRequests()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 4 } ], "limits": { "max_shared_bytes_per_user": "256MiB" } }""", output);
        using Discovery.BrokerConnection raw = BrokerTestKit.Connect(broker);
        using Discovery.BrokerConnection other = BrokerTestKit.Connect(broker);
        BrokerTestKit.Call(other, BrokerOp.Info);
        var worst = new List<double>();
        var slowest = new List<double>();
        for (int round = 0; round < 3; round++)
        {
            double roundWorst = 0;
            Task<double> churn = Task.Run(() =>
            {
                var sw = Stopwatch.StartNew();
                BrokerResponse a = BrokerTestKit.Call(raw, BrokerOp.MemAlloc, out var fd, out string? m, arg0: 1UL << 28);
                fd?.Dispose();
                Assert.True(a.Status == BrokerStatus.Ok, m);
                Assert.Equal(BrokerStatus.Ok, BrokerTestKit.Call(raw, BrokerOp.MemFree, arg0: a.Value0).Status);
                return sw.Elapsed.TotalMilliseconds;
            });
            while (!churn.IsCompleted)
            {
                var sw = Stopwatch.StartNew();
                Assert.Equal(BrokerStatus.Ok, BrokerTestKit.Call(other, BrokerOp.Info).Status);
                roundWorst = Math.Max(roundWorst, sw.Elapsed.TotalMilliseconds);
            }

            slowest.Add(await churn);
            worst.Add(roundWorst);
            output.WriteLine($"256 MiB alloc + free: {slowest[^1]:F1} ms; another client's INFO meanwhile: worst {roundWorst:F1} ms");
        }

        // Prefaulting and unmapping 256 MiB take ~100-300 ms here; done on the loop they stalled INFO that long (worst
        // about the whole alloc + free). On a loaded machine INFO waits for the CPU too: the bound is 50 ms or half the
        // alloc + free, whichever is larger, which a stall still exceeds.
        worst.Sort();
        slowest.Sort();
        double bound = Math.Max(50, slowest[1] / 2);
        Assert.True(worst[1] < bound, $"median worst INFO latency {worst[1]:F1} ms while another client allocated 256 MiB (alloc + free median {slowest[1]:F1} ms; bound {bound:F1} ms)");
    }
}
