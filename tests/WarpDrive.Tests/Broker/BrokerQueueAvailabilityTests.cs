using System.Diagnostics;
using WarpDrive.Abi;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>With every queue taken, opening fails with a clear error, or waits in line: released queues go to the
/// waiters first come, first served, and a waiter that gives up leaves the line.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerQueueAvailabilityTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ABusyDeviceRefusesAtOnceOrHandsReleasedQueuesToWaitersInOrder()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 2, "reserved_queues": 0 } ] }""", output);
        string Available() => broker.ReadAttribute("zip-0", "available_instances");
        using WdRuntime runtime = broker.CreateRuntime();
        WdQueue held1 = runtime.RequestQueue("gzip");
        WdQueue held2 = runtime.RequestQueue("gzip");
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Available() == "0", TimeSpan.FromSeconds(1)), $"available_instances {Available()} with both queues held");

        var busy = Assert.Throws<WdDeviceNotFoundException>(() => runtime.RequestQueue("gzip"));
        Assert.Contains("busy", busy.Message, StringComparison.Ordinal);

        // Two waiters, in a known order: the second starts once the first holds a connection of its own.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int fds = await StableFdCountAsync(broker); // the refused attempt's connection is gone
        Task<WdQueue> first = Task.Run(() => runtime.RequestQueue("gzip", wait: true, cancel.Token));
        Assert.True(await SettlesAtAsync(broker, fds + 1), "the first waiter never waited on a connection of its own");
        Task<WdQueue> second = Task.Run(() => runtime.RequestQueue("gzip", wait: true, cancel.Token));
        Assert.True(await SettlesAtAsync(broker, fds + 2), "the second waiter never waited on a connection of its own");
        Assert.False(first.IsCompleted, "the first waiter did not wait");
        Assert.False(second.IsCompleted, "the second waiter did not wait");

        // One queue back: the first waiter gets it, the second still waits.
        held1.Dispose();
        WdQueue got1 = await first.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(await BrokerTestKit.EventuallyAsync(() => second.IsCompleted, TimeSpan.FromMilliseconds(300)) == false, "the second waiter got a queue ahead of its turn");
        Assert.Equal("0", Available());

        // Another: now the second.
        held2.Dispose();
        WdQueue got2 = await second.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotEqual(got1.QueueId, got2.QueueId);
        foreach (WdQueue q in new[] { got1, got2 })
        {
            Assert.Equal(CompletionStatus.Ok, BrokerTestKit.Run(q, new Sqe { UserData = 7, Opcode = Opcode.Nop }).Status);
        }

        Assert.Equal("0", Available());

        // A waiter that gives up leaves the line: the next released queue stays free.
        using var giveUp = new CancellationTokenSource();
        fds = await StableFdCountAsync(broker);
        Task<WdQueue> quitter = Task.Run(() => runtime.RequestQueue("gzip", wait: true, giveUp.Token));
        Assert.True(await SettlesAtAsync(broker, fds + 1), "the third waiter never waited");
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => quitter.WaitAsync(TimeSpan.FromSeconds(5)));
        got1.Dispose();
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Available() == "1", TimeSpan.FromSeconds(1)), $"available_instances {Available()} after a release with nobody waiting");
        got2.Dispose();
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Available() == "2", TimeSpan.FromSeconds(1)));
    }

    /// <summary>The broker's descriptor count once it has not changed for 50 ms.</summary>
    private static async Task<int> StableFdCountAsync(BrokerProcess broker)
    {
        var clock = Stopwatch.StartNew();
        int count = broker.FdCount();
        long since = 0;
        while (clock.ElapsedMilliseconds - since < 50)
        {
            await Task.Delay(2);
            int now = broker.FdCount();
            if (now != count)
            {
                count = now;
                since = clock.ElapsedMilliseconds;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the broker's descriptor count never settled");
        }

        return count;
    }

    /// <summary>Waits until the broker's descriptor count has stayed at <paramref name="target"/> for 50 ms (a waiting
    /// connection is one more descriptor; the no-wait attempt that comes before it lives only microseconds).</summary>
    private static async Task<bool> SettlesAtAsync(BrokerProcess broker, int target)
    {
        var clock = Stopwatch.StartNew();
        long since = -1;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (broker.FdCount() != target)
            {
                since = -1;
            }
            else if (since < 0)
            {
                since = clock.ElapsedMilliseconds;
            }
            else if (clock.ElapsedMilliseconds - since >= 50)
            {
                return true;
            }

            await Task.Delay(2);
        }

        return false;
    }
}
