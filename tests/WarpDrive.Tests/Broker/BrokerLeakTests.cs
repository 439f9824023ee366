using WarpDrive.Abi;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>Opening and closing queues and shared regions over and over costs the broker nothing that stays.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerLeakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AThousandQueueOpenCloseCyclesLeaveTheBrokerFlat()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        using WdRuntime runtime = broker.CreateRuntime();

        // Warm-up: 50 cycles at least, then batches of 50 until the broker's RSS stops growing (code compiled, GC
        // heap at its working size: here it climbs by about 17 MiB over the first 500 cycles, then stays flat).
        int warmUp = 0;
        long rss = broker.RssBytes(), previous;
        do
        {
            previous = rss;
            Cycle(runtime, 50);
            warmUp += 50;
            Assert.True(await SettledAsync(broker));
            rss = broker.RssBytes();
        }
        while (rss - previous > 1 << 20 && warmUp < 1000);

        int fdsBefore = broker.FdCount();
        long rssBefore = broker.RssBytes();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Cycle(runtime, 1000);
        TimeSpan elapsed = clock.Elapsed;
        Assert.True(await SettledAsync(broker), $"after the cycles: available_instances {broker.ReadAttribute("zip-0", "available_instances")}, {broker.MappedRegions()} wd regions still mapped in the broker");
        int fdsAfter = broker.FdCount();
        long rssAfter = broker.RssBytes();

        output.WriteLine($"warm-up {warmUp} cycles; then 1000 cycles (RequestQueue + NOP + Dispose, ReserveMemory(64 KiB) every 10th) in {elapsed.TotalMilliseconds:F0} ms");
        output.WriteLine($"broker fds: {fdsBefore} -> {fdsAfter}; RSS: {rssBefore / 1024.0 / 1024:F1} MiB -> {rssAfter / 1024.0 / 1024:F1} MiB ({(rssAfter - rssBefore) / 1024.0 / 1024:+0.0;-0.0} MiB)");
        Assert.InRange(fdsAfter, fdsBefore - 2, fdsBefore + 2);
        Assert.True(rssAfter - rssBefore < 16L << 20, $"broker RSS grew by {(rssAfter - rssBefore) >> 20} MiB over 1000 cycles");
    }

    /// <summary>Every queue is back and no ring or shared region is mapped in the broker any more.</summary>
    private static Task<bool> SettledAsync(BrokerProcess broker) =>
        BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "16" && broker.MappedRegions() == 0, TimeSpan.FromSeconds(2));


    private static void Cycle(WdRuntime runtime, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using WdQueue queue = runtime.RequestQueue("gzip");
            Cqe cqe = BrokerTestKit.Run(queue, new Sqe { UserData = (ulong)i, Opcode = Opcode.Nop });
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
            if (i % 10 == 0)
            {
                using WdSharedMemory memory = runtime.ReserveMemory(64 << 10);
                memory.GetSpan().Fill((byte)i);
            }
        }
    }
}
