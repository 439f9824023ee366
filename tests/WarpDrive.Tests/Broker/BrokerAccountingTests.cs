using WarpDrive.Abi.Broker;
using WarpDrive.Discovery;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>One account per uid however its processes come and go: the caps hold across processes even after the
/// account was idle for a while.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerAccountingTests(ITestOutputHelper output)
{
    private const string Config = """
        {
          "devices": [ { "name": "zip-0", "queues": 8 } ],
          "limits": { "max_shared_bytes_per_user": "1MiB", "max_queues_per_user": 2 },
        }
        """;

    [Fact]
    public async Task SharedBytesCapHoldsAcrossProcessesAfterTheAccountWasIdle()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using BrokerConnection raw = BrokerTestKit.Connect(broker);
        BrokerResponse a = BrokerTestKit.Call(raw, BrokerOp.MemAlloc, out var fd, out string? m, arg0: 1 << 20);
        Assert.True(a.Status == BrokerStatus.Ok, m);
        fd?.Dispose();
        BrokerResponse f = BrokerTestKit.Call(raw, BrokerOp.MemFree, arg0: a.Value0);
        Assert.Equal(BrokerStatus.Ok, f.Status);
        await using ChildProcess child = broker.StartTestClient("secret");
        output.WriteLine(await child.ReadLineAsync(TimeSpan.FromSeconds(30)));
        BrokerResponse b = BrokerTestKit.Call(raw, BrokerOp.MemAlloc, out fd, out m, arg0: 1 << 20);
        fd?.Dispose();
        output.WriteLine($"second alloc: {b.Status} {m}");
        Assert.Equal(BrokerStatus.MemoryLimit, b.Status); // uid would hold 1 MiB + 64 KiB
    }

    [Fact]
    public async Task QueueCapHoldsAcrossProcessesAfterTheAccountWasIdle()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using BrokerConnection raw = BrokerTestKit.Connect(broker);
        using (BrokerConnection q = BrokerTestKit.Connect(broker))
        {
            BrokerResponse s = BrokerTestKit.Call(q, BrokerOp.StartQueue, out var fd, out string? m);
            Assert.True(s.Status == BrokerStatus.Ok, m);
            fd?.Dispose();
            Assert.Equal(BrokerStatus.Ok, BrokerTestKit.Call(q, BrokerOp.PutQueue).Status);
        }

        await using ChildProcess child = broker.StartTestClient("hold", "1"); // 2 queues: hold 1 + its session
        output.WriteLine(await child.ReadLineAsync(TimeSpan.FromSeconds(30)));
        using BrokerConnection c1 = BrokerTestKit.Connect(broker);
        BrokerResponse r = BrokerTestKit.Call(c1, BrokerOp.StartQueue, out var fd2, out string? m2);
        fd2?.Dispose();
        output.WriteLine($"third queue for the uid: {r.Status} {m2}");
        Assert.Equal(BrokerStatus.QueueLimit, r.Status);
    }
}
