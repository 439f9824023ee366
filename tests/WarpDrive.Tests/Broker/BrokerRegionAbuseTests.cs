using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Discovery;
using WarpDrive.Platform;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>What a client does to the memory it shares with the broker (truncate it, unmap it, close everything
/// abruptly, attach descriptors to requests) costs that client at most, never the broker.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerRegionAbuseTests(ITestOutputHelper output)
{
    private const string Config = """
        {
          "devices": [
            { "name": "zip-0", "memory": "sva+share", "queues": 4 },
            { "name": "zip-1", "memory": "share", "queues": 4 },
          ],
        }
        """;

    private const uint SizeSeals = SharedMemoryRegion.CreateSeals; // F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL

    [Theory]
    [InlineData("zip-0")]
    [InlineData("zip-1")]
    public async Task AClientThatTruncatesOrUnmapsASharedRegionCannotHurtTheBroker(string device)
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        AbuseSharedRegion(broker, device, output);
        Assert.True(broker.IsAlive, "the broker died");

        // It keeps serving new clients.
        await using ChildProcess client = broker.StartTestClient("loop", "0.3");
        Assert.True(await client.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, client.Stderr);
    }

    private static unsafe void AbuseSharedRegion(BrokerProcess broker, string device, ITestOutputHelper output)
    {
        using WdRuntime runtime = broker.CreateRuntime(device);
        using WdQueue queue = runtime.RequestQueue("gzip"); // this process's queue: the raw connection below shares its domain
        using WdSharedMemory dst = runtime.ReserveMemory(256 << 10);
        using BrokerConnection raw = BrokerTestKit.Connect(broker, device);

        BrokerResponse allocated = BrokerTestKit.Call(raw, BrokerOp.MemAlloc, out SafeFileHandle? fd, out string? message, arg0: 100_000);
        Assert.True(allocated.Status == BrokerStatus.Ok, message);
        Assert.NotNull(fd);
        ulong handle = allocated.Value0;
        long size = (long)allocated.Value1;
        Assert.Equal(102_400, size); // whole pages

        // Sealed against resizing: truncating it under the broker's mapping (SIGBUS there) is refused.
        Assert.Equal(SizeSeals, SharedMemoryRegion.GetSeals(fd) & SizeSeals);
        foreach (long length in new[] { 0L, 4096L, size + 4096 })
        {
            Assert.Equal(-1, NativeTestMethods.Truncate(fd, length, out int errno));
            Assert.Equal(NativeTestMethods.EPERM, errno);
        }

        Assert.Equal(size, RandomAccess.GetLength(fd));

        SharedMemoryRegion region = SharedMemoryRegion.Map(fd, size);
        byte[] data = TestData.Text(60_000, seed: 41);
        data.CopyTo(new Span<byte>((void*)region.Address, data.Length));
        BrokerResponse mapped = BrokerTestKit.Call(raw, BrokerOp.MemMap, out _, out message, arg0: handle, arg1: (ulong)region.Address);
        Assert.True(mapped.Status == BrokerStatus.Ok, message);
        Cqe cqe = BrokerTestKit.Run(queue, BrokerTestKit.Compress(1, region.Address, data.Length, dst.Address, dst.Length));
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal(data, BrokerTestKit.Gunzip(BrokerTestKit.Span(dst, (int)cqe.Produced)));

        // Unmap our own view (and close the memfd) while the region is still in the domain, then point a request at
        // the address we no longer map: the broker answers from its own mapping of the same pages, or faults.
        nint address = region.Address;
        region.Dispose();
        cqe = BrokerTestKit.Run(queue, BrokerTestKit.Compress(2, address, data.Length, dst.Address, dst.Length));
        output.WriteLine($"{device}: request on the unmapped view: {cqe.Status}");
        Assert.True(cqe.Status is CompletionStatus.Ok or CompletionStatus.AddressFault, $"{cqe.Status}");
        if (cqe.Status == CompletionStatus.Ok)
        {
            Assert.Equal(data, BrokerTestKit.Gunzip(BrokerTestKit.Span(dst, (int)cqe.Produced)));
        }

        // Freed, the range leaves the domain: a share-only device cannot reach the address any more.
        Assert.Equal(BrokerStatus.Ok, BrokerTestKit.Call(raw, BrokerOp.MemFree, arg0: handle).Status);
        cqe = BrokerTestKit.Run(queue, BrokerTestKit.Compress(3, address, data.Length, dst.Address, dst.Length));
        if (device == "zip-1")
        {
            Assert.Equal(CompletionStatus.AddressFault, cqe.Status);
        }

        Assert.Equal(BrokerStatus.BadHandle, BrokerTestKit.Call(raw, BrokerOp.MemFree, arg0: handle).Status);
        Assert.Equal(BrokerStatus.BadHandle, BrokerTestKit.Call(raw, BrokerOp.MemMap, arg0: handle, arg1: 0x7000_0000_0000).Status);
        BrokerTestKit.AssertRoundTrip(runtime, queue, TestData.Text(50_000, seed: 42));
    }

    [Fact]
    public async Task AClientThatUnmapsItsRingOrTruncatesItLeavesTheBrokerServing()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using (BrokerConnection raw = BrokerTestKit.Connect(broker))
        {
            BrokerResponse started = BrokerTestKit.Call(raw, BrokerOp.StartQueue, out SafeFileHandle? fd, out string? message);
            Assert.True(started.Status == BrokerStatus.Ok, message);
            Assert.NotNull(fd);
            long size = (long)started.Value1;
            Assert.Equal(broker.ReadAttribute("zip-0", "region_dus_size"), size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(SizeSeals, SharedMemoryRegion.GetSeals(fd) & SizeSeals);
            Assert.Equal(-1, NativeTestMethods.Truncate(fd, 0, out int errno));
            Assert.Equal(NativeTestMethods.EPERM, errno);
            Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "3", TimeSpan.FromSeconds(1)));

            // Map the ring, publish an SQE with a doorbell, then drop our view of it while the queue is started.
            UnmapRingMidRequest(fd, size);
            Assert.True(broker.IsAlive);

            // The connection still answers; the queue is given back on request.
            Assert.Equal(BrokerStatus.Ok, BrokerTestKit.Call(raw, BrokerOp.PutQueue).Status);
            Assert.Equal(BrokerStatus.NotStarted, BrokerTestKit.Call(raw, BrokerOp.PutQueue).Status);
            Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "4", TimeSpan.FromSeconds(1)));

            // A second START_Q on the same connection gets a fresh ring, then the connection just goes away.
            started = BrokerTestKit.Call(raw, BrokerOp.StartQueue, out fd, out message);
            Assert.True(started.Status == BrokerStatus.Ok, message);
            fd!.Dispose();
        }

        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "4", TimeSpan.FromSeconds(1)));
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        BrokerTestKit.AssertRoundTrip(runtime, queue, TestData.Text(80_000, seed: 43));
    }

    private static unsafe void UnmapRingMidRequest(SafeFileHandle fd, long size)
    {
        SharedMemoryRegion ring = SharedMemoryRegion.Map(fd, size);
        Assert.True(QueueRegion.TryOpen(ring.Address, (int)ring.Length, out QueueRegion region, out string? error), error);
        Assert.Equal((uint)QueueState.Started, region.State);
        var sq = new SubmissionProducer(region);
        Assert.True(sq.TryPublish(new Sqe { UserData = 1, Opcode = Opcode.Nop }));
        if (sq.RingDoorbellIfWaiting())
        {
            Futex.Wake(region.DoorbellAddress);
        }

        ring.Dispose(); // unmapped and closed: only our view goes
    }

    [Fact]
    public async Task AClientKilledWithRequestsInFlightOrClosingMidRequestLeavesTheBrokerServing()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);

        // Another process, killed while it compresses and decompresses in a loop.
        await using (ChildProcess victim = broker.StartTestClient("loop", "30"))
        {
            Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") != "4" || victim.HasExited, TimeSpan.FromSeconds(20)), "the client opened no queue");
            await Task.Delay(300); // let it run requests for a while
            Assert.False(victim.HasExited, victim.Stderr);
            victim.Signal(NativeTestMethods.SIGKILL);
            await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        }

        // This process: large requests in flight, then the queue and the memory connection close under them.
        CloseMidRequest(broker);

        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "4", TimeSpan.FromSeconds(2)),
            $"available_instances is {broker.ReadAttribute("zip-0", "available_instances")}, not 4");
        Assert.True(broker.IsAlive);
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        BrokerTestKit.AssertRoundTrip(runtime, queue, TestData.Text(80_000, seed: 44));
    }

    private static void CloseMidRequest(BrokerProcess broker)
    {
        var runtime = broker.CreateRuntime("zip-1");
        WdQueue queue = runtime.RequestQueue("gzip");
        const int Length = 4 << 20;
        WdSharedMemory src = runtime.ReserveMemory(Length);
        WdSharedMemory dst = runtime.ReserveMemory(Length + (Length >> 3) + 4096);
        TestData.Random(Length, seed: 45).CopyTo(src.GetSpan());
        for (int i = 0; i < 8; i++)
        {
            Sqe sqe = BrokerTestKit.Compress((ulong)i, src, Length, dst);
            sqe.Level = 9;
            Assert.True(queue.TrySend(sqe));
        }

        queue.Flush();
        queue.Dispose();   // the broker stops the queue (after the request it runs) ...
        runtime.Dispose(); // ... and, with the process's last connection, frees the regions
        ((IDisposable)src).Dispose(); // MEM_FREE on a closed connection: libwd ignores the error and unmaps
        ((IDisposable)dst).Dispose();
    }

    [Fact]
    public async Task RequestsWithDescriptorsOrTheWrongSizeAreRefusedAndTheirDescriptorsClosed()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        SendMalformedRequests(broker, out int fdsBefore, out int fdsAfter);
        output.WriteLine($"broker fds: {fdsBefore} before, {fdsAfter} after 100 requests carrying 4 descriptors each");
        Assert.InRange(fdsAfter, fdsBefore - 2, fdsBefore + 2);
        Assert.True(broker.IsAlive);
    }

    private static void SendMalformedRequests(BrokerProcess broker, out int fdsBefore, out int fdsAfter)
    {
        using UnixSeqPacketSocket socket = UnixSeqPacketSocket.Connect(broker.SocketPath("zip-0"));
        socket.SetReceiveTimeout(TimeSpan.FromSeconds(10));
        Span<byte> request = stackalloc byte[BrokerRequest.Size + 1];
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.Info });
        Span<byte> reply = stackalloc byte[BrokerProtocol.MaxDatagram];

        BrokerResponse Exchange(ReadOnlySpan<byte> message, ReadOnlySpan<SafeHandle> handles, Span<byte> reply)
        {
            socket.Send(message, handles);
            Assert.Equal(ReceiveStatus.Message, socket.Receive(reply, [], out int n, out _, out _));
            Assert.True(n >= BrokerResponse.Size, $"reply of {n} bytes");
            return MemoryMarshal.Read<BrokerResponse>(reply);
        }

        Assert.Equal(BrokerStatus.Ok, Exchange(request[..BrokerRequest.Size], [], reply).Status);
        fdsBefore = broker.FdCount();
        using FileStream file = File.OpenRead(broker.ConfigPath);
        SafeHandle f = file.SafeFileHandle;
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(BrokerStatus.BadMessage, Exchange(request[..BrokerRequest.Size], [f, f, f, f], reply).Status);
        }

        fdsAfter = broker.FdCount();
        Assert.Equal(BrokerStatus.BadMessage, Exchange(request[..(BrokerRequest.Size - 1)], [], reply).Status);
        Assert.Equal(BrokerStatus.BadMessage, Exchange(request, [], reply).Status);
        MemoryMarshal.Write(request, new BrokerRequest { Op = (BrokerOp)0x7777 });
        Assert.Equal(BrokerStatus.BadMessage, Exchange(request[..BrokerRequest.Size], [], reply).Status);
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.Info, Reserved = 1 });
        Assert.Equal(BrokerStatus.BadMessage, Exchange(request[..BrokerRequest.Size], [], reply).Status);
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.Info, Flags = BrokerRequestFlags.Wait });
        Assert.Equal(BrokerStatus.BadMessage, Exchange(request[..BrokerRequest.Size], [], reply).Status);
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.Info });
        Assert.Equal(BrokerStatus.Ok, Exchange(request[..BrokerRequest.Size], [], reply).Status); // still served
    }
}
