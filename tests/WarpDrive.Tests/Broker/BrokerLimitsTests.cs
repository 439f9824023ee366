using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>Per-user caps (max_shared_bytes_per_user, max_queues_per_user) refuse with an error that names the
/// limit, and what is given back counts again.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerLimitsTests(ITestOutputHelper output)
{
    private const string Config = """
        {
          "devices": [ { "name": "zip-0", "queues": 8 } ],
          "limits": { "max_shared_bytes_per_user": "1MiB", "max_queues_per_user": 2 },
        }
        """;

    [Fact]
    public async Task SharedBytesOverThePerUserCapAreRefusedNamingTheLimit()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using WdRuntime runtime = broker.CreateRuntime();
        WdSharedMemory first = runtime.ReserveMemory(768 << 10);

        var refused = Assert.Throws<WdException>(() => runtime.ReserveMemory(512 << 10));
        output.WriteLine(refused.Message);
        Assert.Contains("max_shared_bytes_per_user", refused.Message, StringComparison.Ordinal);

        // Given back, the bytes count again.
        ((IDisposable)first).Dispose();
        using WdSharedMemory second = runtime.ReserveMemory(1 << 20);
        Assert.Equal(1 << 20, second.Length);
    }

    [Fact]
    public async Task QueuesOverThePerUserCapAreRefusedNamingTheLimit()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using WdRuntime runtime = broker.CreateRuntime();
        WdQueue a = runtime.RequestQueue("gzip");
        using WdQueue b = runtime.RequestQueue("gzip");

        var refused = Assert.Throws<WdException>(() => runtime.RequestQueue("gzip"));
        output.WriteLine(refused.Message);
        Assert.Contains("max_queues_per_user", refused.Message, StringComparison.Ordinal);
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "6", TimeSpan.FromSeconds(1))); // queues to spare

        a.Dispose();
        using WdQueue c = runtime.RequestQueue("gzip");
        Assert.Equal("zip-0", c.Device.Name);
    }

    [Fact]
    public async Task RegionsOverThePerUserCountAreRefusedNamingTheLimit()
    {
        // Many small regions cost the broker a mapping each: their number is capped, not only their bytes.
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""
            { "devices": [ { "name": "zip-0" } ], "limits": { "max_regions_per_user": 3 } }
            """, output);
        using WdRuntime runtime = broker.CreateRuntime();
        var held = new List<WdSharedMemory> { runtime.ReserveMemory(4096), runtime.ReserveMemory(4096), runtime.ReserveMemory(4096) };

        var refused = Assert.Throws<WdException>(() => runtime.ReserveMemory(4096));
        output.WriteLine(refused.Message);
        Assert.Contains("max_regions_per_user", refused.Message, StringComparison.Ordinal);

        ((IDisposable)held[0]).Dispose(); // given back, it counts again
        using WdSharedMemory again = runtime.ReserveMemory(4096);
        held.Skip(1).ToList().ForEach(m => ((IDisposable)m).Dispose());
    }
}
