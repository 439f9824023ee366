using WarpDrive.Abi.Broker;
using WarpDrive.Discovery;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary><c>reserved_queues</c> (default 1): a user that holds a queue of a device cannot take its last free
/// queue(s); a user that holds none of them still can.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerQueueReserveTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task UnderTheDefaultConfigOneUserCannotTakeTheLastFreeQueueAndAnotherUserGetsIt()
    {
        // The default device: 16 queues, reserved_queues 1; max_queues_per_user (64) does not stop uid 0 here.
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        var held = new List<BrokerConnection>();
        try
        {
            (int started, BrokerResponse refusal, string? message) = TakeAll(broker, held);
            output.WriteLine($"uid 0: {started} queues, then {refusal.Status}: {message}");
            Assert.Equal(15, started);
            Assert.Equal(BrokerStatus.NoQueue, refusal.Status);
            Assert.Matches(@"^uid 0 holds 15 queue\(s\) of zip-0; its last 1 free queue\(s\) are kept for users that hold none \(reserved_queues\)$", message);
            Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "1", TimeSpan.FromSeconds(1)));

            // uid 65534, which holds none, gets the last one through libwd and runs a request on it.
            await using ChildProcess other = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll", ["queue"], asUser: 65534);
            Assert.True(await other.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, $"uid 65534 got no queue: {other.Stderr}");
            string line = await other.ReadLineAsync(TimeSpan.FromSeconds(5));
            output.WriteLine($"uid 65534: {line}");
            Assert.StartsWith("ok zip-0 ", line, StringComparison.Ordinal);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task AUserThatWaitsBehindTheReserveGetsAQueueOnceMoreThanTheReserveIsFree()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 4, "reserved_queues": 2 } ] }""", output);
        var held = new List<BrokerConnection>();
        try
        {
            (int started, BrokerResponse refusal, string? message) = TakeAll(broker, held);
            Assert.Equal(2, started);
            Assert.Equal(BrokerStatus.NoQueue, refusal.Status);
            Assert.Contains("its last 2 free queue(s)", message, StringComparison.Ordinal);

            // With WAIT the same request waits in line instead; a release by this user frees a third queue: its own.
            using BrokerConnection waiter = BrokerTestKit.Connect(broker);
            Task<BrokerResponse> waiting = Task.Run(() =>
            {
                BrokerResponse r = waiter.Call(new BrokerRequest { Op = BrokerOp.StartQueue, Flags = BrokerRequestFlags.Wait }, out Microsoft.Win32.SafeHandles.SafeFileHandle? fd, out _);
                fd?.Dispose();
                return r;
            });
            Assert.False(await BrokerTestKit.EventuallyAsync(() => waiting.IsCompleted, TimeSpan.FromMilliseconds(300)), "the waiter got a queue out of the reserve");

            held[0].Dispose();
            held.RemoveAt(0);
            BrokerResponse got = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(BrokerStatus.Ok, got.Status);
            Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "2", TimeSpan.FromSeconds(1)));
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ReservedQueues0LetsOneUserTakeEveryQueue()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 3, "reserved_queues": 0 } ] }""", output);
        var held = new List<BrokerConnection>();
        try
        {
            (int started, BrokerResponse refusal, string? message) = TakeAll(broker, held);
            Assert.Equal(3, started);
            Assert.Equal(BrokerStatus.NoQueue, refusal.Status);
            Assert.Equal("zip-0 has no free queue (available_instances is 0)", message);
        }
        finally
        {
            held.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Starts queues on zip-0, one connection each (kept in <paramref name="held"/>), until the broker
    /// refuses one; returns how many it started and the refusal.</summary>
    private static (int Started, BrokerResponse Refusal, string? Message) TakeAll(BrokerProcess broker, List<BrokerConnection> held)
    {
        for (int i = 0; i < 100; i++)
        {
            BrokerConnection c = BrokerTestKit.Connect(broker);
            BrokerResponse r = BrokerTestKit.Call(c, BrokerOp.StartQueue, out Microsoft.Win32.SafeHandles.SafeFileHandle? fd, out string? message);
            fd?.Dispose();
            if (r.Status != BrokerStatus.Ok)
            {
                c.Dispose();
                return (i, r, message);
            }

            held.Add(c);
        }

        throw new InvalidOperationException("100 queues and no refusal");
    }
}
