using System.Runtime.InteropServices;
using System.Text;
using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Platform;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Reliability;

/// <summary>One client takes all it can (queues, connections, ring slots it never reaps): it gets a clear refusal and
/// the broker keeps serving the others. (The queue, shared-bytes and region caps are in BrokerLimitsTests and
/// BrokerAccountingTests.)</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(BrokerProcessCollection.Name)]
public sealed class ExhaustionTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AClientThatNeverReapsStallsOnlyItsOwnQueueAndLosesNothing()
    {
        // One engine serves both queues: a stall that leaked past the full queue would stop the well-behaved client.
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 4, "queue_depth": 8, "workers": 1 } ] }""", output);
        using WdRuntime hog = broker.CreateRuntime();
        using WdQueue queue = hog.RequestQueue("gzip");
        using WdRuntime runtime = broker.CreateRuntime(maxCompressionContexts: 1);
        await using var survivor = WellBehavedClient.Start(runtime);

        // Publish until the rings are full: the device fills the CQ (8), takes 8 more into the SQ and stops there.
        int published = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (queue.TrySend(new Sqe { UserData = (ulong)published, Opcode = Opcode.Nop }))
            {
                published++;
                queue.Flush();
            }
            else if (!await BrokerTestKit.EventuallyAsync(() => queue.TrySend(new Sqe { UserData = (ulong)published, Opcode = Opcode.Nop }), TimeSpan.FromSeconds(1), 10))
            {
                break; // full, and still full after the device had a second to drain what it could
            }
            else
            {
                published++;
                queue.Flush();
            }
        }

        output.WriteLine($"published {published} NOPs on a depth-8 queue without reaping before TrySend said full");
        Assert.Equal(16, published); // 8 completed into the full CQ, 8 waiting in the SQ
        Assert.Equal(QueueState.Started, queue.State); // a slow reader is not an offender

        // The other client goes on, on the same engine.
        Assert.True(await survivor.AdvancesAsync(10, TimeSpan.FromSeconds(20)), "the well-behaved client stalled behind the full queue");

        // Reaping at last: every request completes once, in order.
        for (int i = 0; i < published; i++)
        {
            Assert.True(queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)), $"completion {i} of {published} missing");
            Assert.Equal((ulong)i, cqe.UserData);
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
        }

        Assert.False(queue.TryReceive(out _));
        await survivor.StopAsync();
    }

    [Fact]
    public async Task ThousandsOfConnectionsFromOneUserAreRefusedClearlyAndNothingStaysBehind()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""
            { "devices": [ { "name": "zip-0" } ], "limits": { "max_connections_per_user": 100, "max_clients": 400 } }
            """, output);
        int fdsBefore = broker.FdCount();
        var sockets = new List<UnixSeqPacketSocket>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            (int accepted, int refused, string message) = Flood(broker, sockets, 3000);
            output.WriteLine($"3000 connections: {accepted} served, {refused} refused (\"{message}\"); broker fds {fdsBefore} -> {broker.FdCount()}");
            Assert.Equal(100, accepted);
            Assert.Equal(2900, refused);
            Assert.Matches(@"^uid \d+ already holds 100 connections \(max_connections_per_user\)$", message);

            // libwd reports the same refusal as a one-line error.
            using WdRuntime runtime = broker.CreateRuntime();
            WdException e = Assert.ThrowsAny<WdException>(() => runtime.RequestQueue("gzip"));
            Assert.Contains("max_connections_per_user", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }

        // Once the flood is gone, its connections and fds are too, and the same user is served again.
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.FdCount() <= fdsBefore + 2, TimeSpan.FromSeconds(5)), $"broker fds {fdsBefore} -> {broker.FdCount()}");
        using (WdRuntime runtime = broker.CreateRuntime())
        using (WdQueue queue = runtime.RequestQueue("gzip"))
        {
            BrokerTestKit.AssertRoundTrip(runtime, queue, TestData.Text(64 << 10, seed: 3));
        }

        // Logged, but not 2901 times: at most 5 lines per uid every 10 s (then a count of the rest, BrokerLogTests).
        TimeSpan flood = clock.Elapsed;
        int logged = System.Text.RegularExpressions.Regex.Count(broker.Log, "refusing a connection of pid");
        Assert.InRange(logged, 1, 5 * (1 + (int)(flood.TotalSeconds / 10)));
        Assert.True(broker.IsAlive);
    }

    [RootFact]
    public async Task AnotherUserIsServedWhileOneUserHoldsEveryConnectionItMay()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""
            { "devices": [ { "name": "zip-0" } ], "limits": { "max_connections_per_user": 50 } }
            """, output);
        var sockets = new List<UnixSeqPacketSocket>();
        try
        {
            (int accepted, int refused, _) = Flood(broker, sockets, 1000);
            Assert.Equal((50, 950), (accepted, refused));

            int rounds = await OtherUserRoundTripsAsync(broker);
            output.WriteLine($"uid 65534: {rounds} checked round trips while uid 0 held 50 connections and was refused 950");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    [RootFact]
    public async Task AProcessThatChangedItsUidAfterConnectingIsStillHeldToTheConnectionCap()
    {
        // The broker charges a process's connections to the account of its first connection; the cap must be checked
        // against that account too, or a process that drops privileges (uid 0 -> 65534) opens as many as it likes.
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""
            { "devices": [ { "name": "zip-0" } ], "limits": { "max_connections_per_user": 20 } }
            """, output);
        await using ChildProcess client = broker.StartTestClient("setuid-flood", "65534", "200");
        Assert.True(await client.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, $"setuid-flood: {client.Stderr}");
        int served = int.Parse(await client.ReadLineAsync(TimeSpan.FromSeconds(5)), System.Globalization.CultureInfo.InvariantCulture);
        output.WriteLine($"200 connections after setuid(65534): {served} served");
        Assert.InRange(served, 1, 20);
        Assert.True(broker.IsAlive);
    }

    [RootFact]
    public async Task AUserAtItsQueueAndMemoryCapsIsRefusedClearlyWhileAnotherUserIsServed()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""
            { "devices": [ { "name": "zip-0", "queues": 6 } ], "limits": { "max_queues_per_user": 4, "max_shared_bytes_per_user": "4MiB" } }
            """, output);
        using WdRuntime hog = broker.CreateRuntime();
        var queues = new List<WdQueue>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                queues.Add(hog.RequestQueue("gzip"));
            }

            using WdSharedMemory memory = hog.ReserveMemory((4 << 20) - (256 << 10)); // 256 KiB left for the round trip below
            WdException noQueue = Assert.ThrowsAny<WdException>(() => hog.RequestQueue("gzip"));
            WdException noMemory = Assert.ThrowsAny<WdException>(() => hog.ReserveMemory(512 << 10));
            output.WriteLine($"uid 0 at its caps: \"{noQueue.Message}\", \"{noMemory.Message}\"");
            Assert.Contains("max_queues_per_user", noQueue.Message, StringComparison.Ordinal);
            Assert.Contains("max_shared_bytes_per_user", noMemory.Message, StringComparison.Ordinal);

            // The hog's own queues still serve it, and nobody (65534) gets a queue and memory of its own account.
            BrokerTestKit.AssertRoundTrip(hog, queues[0], TestData.Text(32 << 10, seed: 5));
            output.WriteLine($"uid 65534: {await OtherUserRoundTripsAsync(broker)} checked round trips meanwhile");
        }
        finally
        {
            queues.ForEach(q => q.Dispose());
        }
    }

    /// <summary>nobody (65534) compresses and decompresses through the broker for 2 s in a process of its own, every
    /// round trip checked; returns how many it did (at least one).</summary>
    private static async Task<int> OtherUserRoundTripsAsync(BrokerProcess broker)
    {
        await using ChildProcess other = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll", ["loop", "2"], asUser: 65534);
        Assert.True(await other.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, $"the other user's client failed: {other.Stderr}");
        int rounds = int.Parse(await other.ReadLineAsync(TimeSpan.FromSeconds(5)), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(rounds > 0);
        return rounds;
    }

    /// <summary>Opens <paramref name="count"/> connections to zip-0 and asks each for INFO: served ones answer OK,
    /// refused ones hold the broker's unsolicited CONNECTION_LIMIT reply and are closed.</summary>
    private static (int Accepted, int Refused, string Message) Flood(BrokerProcess broker, List<UnixSeqPacketSocket> sockets, int count)
    {
        Span<byte> request = stackalloc byte[BrokerRequest.Size];
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.Info });
        Span<byte> reply = stackalloc byte[BrokerProtocol.MaxDatagram];
        int accepted = 0, refused = 0;
        string message = "";
        for (int i = 0; i < count; i++)
        {
            UnixSeqPacketSocket socket = UnixSeqPacketSocket.Connect(broker.SocketPath("zip-0"));
            sockets.Add(socket);
            socket.SetReceiveTimeout(TimeSpan.FromSeconds(10));
            try
            {
                socket.Send(request);
            }
            catch (IOException)
            {
                // Closed by the broker already (EPIPE): its reply is still in our receive queue.
            }

            int n;
            try
            {
                _ = socket.Receive(reply, [], out n, out _, out _);
            }
            catch (PlatformException e) when (e.IsPeerGone)
            {
                _ = socket.Receive(reply, [], out n, out _, out _); // the reset is reported once; the reply is behind it
            }

            Assert.True(n >= BrokerResponse.Size, $"connection {i}: reply of {n} bytes");
            BrokerStatus status = MemoryMarshal.Read<BrokerResponse>(reply).Status;
            if (status == BrokerStatus.Ok)
            {
                accepted++;
            }
            else
            {
                Assert.Equal(BrokerStatus.ConnectionLimit, status);
                message = Encoding.UTF8.GetString(reply[BrokerResponse.Size..n]);
                refused++;
                socket.Dispose(); // a polite client lets go; the broker has closed its end anyway
                sockets.RemoveAt(sockets.Count - 1);
            }
        }

        return (accepted, refused, message);
    }
}
