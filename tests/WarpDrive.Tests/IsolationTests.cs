using WarpDrive.Abi;
using WarpDrive.Devices;
using WarpDrive.Discovery;

namespace WarpDrive.Tests;

/// <summary>The device's own defences, in-process: a queue disabled after its threshold of invalid descriptors or at
/// once on a ring violation, a device isolated after isolate_strategy faults, releases and grace periods that never
/// block.</summary>
public unsafe class IsolationTests
{
    private static InProcessDevices Devices(DeviceHostOptions options) => new(options);

    private static Cqe Exchange(WdQueue queue, in Sqe sqe)
    {
        Assert.True(queue.TrySend(in sqe));
        queue.Flush();
        Assert.True(queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)));
        return cqe;
    }

    [Fact]
    public void QueueIsDisabledAfterItsThresholdOfInvalidDescriptors()
    {
        DeviceHost? seen = null;
        QueueDisableReason why = QueueDisableReason.None;
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 2, WorkerCount = 1, QueueErrorThreshold = 4 });
        devices.Hosts[0].QueueDisabled += (q, reason) => (seen, why) = (q.Host, reason);
        using var bad = devices.OpenQueue("zip-0");
        using var good = devices.OpenQueue("zip-0");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(CompletionStatus.BadRequest, Exchange(bad, new Sqe { Opcode = (Opcode)0x7F }).Status);
            Assert.Equal(QueueState.Started, bad.State);
        }

        // The fourth invalid descriptor (an address outside the domain) crosses the threshold.
        Assert.Equal(CompletionStatus.AddressFault, Exchange(bad, new Sqe { Opcode = Opcode.Compress, Src = 0x1000, SrcLen = 16, Dst = 0x2000, DstLen = 64 }).Status);
        Assert.Equal(QueueState.Disabled, bad.State);
        Assert.Equal(QueueDisableReason.TooManyErrors, bad.DisableReason);
        Assert.Equal(QueueDisableReason.TooManyErrors, why);
        Assert.Same(devices.Hosts[0], seen);
        var e = Assert.Throws<WdException>(() => bad.TrySend(new Sqe { Opcode = Opcode.Nop }));
        Assert.Contains("too many invalid requests", e.Message);

        // The other queue of the same engine is served as before.
        Assert.Equal(CompletionStatus.Ok, Exchange(good, new Sqe { UserData = 9, Opcode = Opcode.Nop }).Status);
    }

    [Fact]
    public void ClientWritingItsStatusWordBackIsStillNotServed()
    {
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, QueueErrorThreshold = 1 });
        using var queue = devices.OpenQueue("zip-0");
        HardwareQueue hq = devices.Hosts[0].GetQueue((int)queue.QueueId);
        Exchange(queue, new Sqe { Opcode = (Opcode)0x7F });
        Assert.Equal(QueueState.Disabled, queue.State);

        Assert.True(QueueRegion.TryOpen(hq.RegionBase, hq.RegionSize, out QueueRegion region, out string? error), error);
        Volatile.Write(ref region.State, (uint)QueueState.Started); // a hostile client rewrites the word
        Assert.True(queue.TrySend(new Sqe { UserData = 1, Opcode = Opcode.Nop }));
        queue.Flush();
        Assert.False(queue.TryReceive(out _, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public void ImpossibleCqHeadDisablesTheQueueAsARingViolation()
    {
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, QueueDepth = 8 });
        using var queue = devices.OpenQueue("zip-0");
        HardwareQueue hq = devices.Hosts[0].GetQueue((int)queue.QueueId);
        Assert.True(QueueRegion.TryOpen(hq.RegionBase, hq.RegionSize, out QueueRegion region, out string? error), error);
        Volatile.Write(ref region.CqHead, 1000UL); // ahead of anything the device posted
        for (int i = 0; i < 9; i++)
        {
            queue.TrySend(new Sqe { UserData = (ulong)i, Opcode = Opcode.Nop }); // enough to fill the CQ
        }

        queue.Flush();
        SpinWait.SpinUntil(() => queue.State == QueueState.Disabled, TimeSpan.FromSeconds(10));
        Assert.Equal(QueueState.Disabled, queue.State);
        Assert.Equal(QueueDisableReason.RingViolation, queue.DisableReason);
    }

    [Fact]
    public void ImpossibleSequenceWordDisablesTheQueue()
    {
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, QueueDepth = 8, SpinBeforeSleep = TimeSpan.FromMilliseconds(1) });
        using var queue = devices.OpenQueue("zip-0");
        HardwareQueue hq = devices.Hosts[0].GetQueue((int)queue.QueueId);
        Assert.True(QueueRegion.TryOpen(hq.RegionBase, hq.RegionSize, out QueueRegion region, out string? error), error);
        Volatile.Write(ref region.SqSlot(0)->Seq, 77u); // neither 1 (published) nor 0 (free)
        SpinWait.SpinUntil(() => queue.State == QueueState.Disabled, TimeSpan.FromSeconds(10));
        Assert.Equal(QueueDisableReason.RingViolation, queue.DisableReason);
    }

    [Fact]
    public void DeviceIsolatesItselfBeyondIsolateStrategyAndStartsNoQueue()
    {
        int isolations = 0;
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 2, WorkerCount = 1, FaultInjectionInterval = 1, IsolateStrategy = 2 });
        DeviceHost host = devices.Hosts[0];
        host.Isolated += _ => Interlocked.Increment(ref isolations);
        using var queue = devices.OpenQueue("zip-0");
        byte* src = stackalloc byte[16];
        byte* dst = stackalloc byte[256];
        int hs = queue.Share((nint)src, 16), hd = queue.Share((nint)dst, 256);
        var compress = new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, Level = 1, Src = (ulong)src, SrcLen = 16, Dst = (ulong)dst, DstLen = 256 };
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(CompletionStatus.InternalError, Exchange(queue, compress).Status);
            Assert.False(host.IsIsolated); // two faults per hour are allowed
        }

        Assert.Equal(CompletionStatus.InternalError, Exchange(queue, compress).Status);
        Assert.True(host.IsIsolated);
        Assert.Equal(1, isolations);
        Assert.Equal("1", host.GetAttributes()[DeviceAttributeNames.Isolate]);
        Assert.Equal("2", host.GetAttributes()[DeviceAttributeNames.IsolateStrategy]);
        Assert.Equal(3, host.FaultCount);
        Assert.False(devices.TryOpenQueue("zip-0", out _)); // a free queue, but none for an isolated device
        Assert.True(SpinWait.SpinUntil(() => queue.State == QueueState.Disabled, TimeSpan.FromSeconds(10)), "the running queue was not disabled");
        Assert.Equal(QueueDisableReason.DeviceIsolated, queue.DisableReason); // nor with more work on the queues it had
        queue.Unshare(hs);
        queue.Unshare(hd);
    }

    [Fact]
    public void IsolateStrategyZeroNeverIsolates()
    {
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, FaultInjectionInterval = 1 });
        using var queue = devices.OpenQueue("zip-0");
        byte* buffer = stackalloc byte[64];
        int h = queue.Share((nint)buffer, 64);
        for (int i = 0; i < 20; i++)
        {
            Exchange(queue, new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, Src = (ulong)buffer, SrcLen = 8, Dst = (ulong)(buffer + 8), DstLen = 56 });
        }

        Assert.False(devices.Hosts[0].IsIsolated);
        Assert.Equal(20, devices.Hosts[0].FaultCount);
        queue.Unshare(h);
    }

    [Fact]
    public void ReleaseAndGracePeriodAreNonBlockingAndComplete()
    {
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1 });
        DeviceHost host = devices.Hosts[0];
        var domain = new Domain();
        HardwareQueue queue = host.AllocateQueue(domain);
        byte* memory = stackalloc byte[64];
        int handle = domain.Share((nint)memory, 64);
        GracePeriod grace = domain.BeginUnshare(handle);
        Assert.True(SpinWait.SpinUntil(grace.TryComplete, TimeSpan.FromSeconds(10)));
        Assert.False(domain.TryTranslate((ulong)memory, 8, out _));

        host.BeginRelease(queue);
        Assert.Equal(0, host.AvailableInstances);
        Assert.True(SpinWait.SpinUntil(() => host.TryCompleteRelease(queue), TimeSpan.FromSeconds(10)));
        Assert.Equal(1, host.AvailableInstances);
        Assert.Null(queue.Domain);
    }

    [Fact]
    public void ReleasingAQueueStopsARequestOfManyGzipMembersBetweenMembers()
    {
        // Empty gzip members are the slowest input per byte (a codec reset per 20 bytes): a release must not wait
        // for all of them.
        byte[] input = EmptyGzipMembers(1_000_000);
        byte[] output = GC.AllocateArray<byte>(4096, pinned: true);
        using InProcessDevices devices = Devices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1 });
        DeviceHost host = devices.Hosts[0];
        HardwareQueue hq = StartDecompression(host, input, output);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        host.ReleaseQueue(hq);
        Assert.True(watch.ElapsedMilliseconds < 200, $"release waited {watch.ElapsedMilliseconds} ms for a request of a million members");
    }

    [Fact]
    public void DisposingTheHostRightAfterReleasingABulkRequestTouchesNoFreedMemory()
    {
        // Regression: the bulk lane wakes the queue's worker just after it leaves the queue, and DeviceHost.Dispose
        // freed the workers (their wake words) before it stopped the lane. A release followed at once by Dispose let
        // the lane increment freed memory: glibc aborted the process later ("malloc(): unaligned tcache chunk
        // detected", about one run of IsolationTests in ten). Many rounds make that window likely to be hit.
        byte[] input = EmptyGzipMembers(50_000); // 1 MB: over the bulk lane threshold
        byte[] output = GC.AllocateArray<byte>(4096, pinned: true);
        for (int round = 0; round < 40; round++)
        {
            var host = new DeviceHost(new WarpDrive.Devices.Zip.ZipDevice(), new DeviceHostOptions { QueueCount = 1, WorkerCount = 1 });
            HardwareQueue hq = StartDecompression(host, input, output);
            host.ReleaseQueue(hq);
            Assert.Equal(1, host.AvailableInstances);
            host.Dispose();
        }
    }

    /// <summary><paramref name="count"/> empty gzip members (header, an empty final stored-static block, CRC-32 0,
    /// size 0: what `gzip &lt; /dev/null` writes), pinned: the slowest input per byte, a codec reset per 20 bytes.</summary>
    private static byte[] EmptyGzipMembers(int count)
    {
        byte[] member = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        byte[] input = GC.AllocateUninitializedArray<byte>(member.Length * count, pinned: true);
        for (int i = 0; i < count; i++)
        {
            member.CopyTo(input, i * member.Length);
        }

        return input;
    }

    /// <summary>Allocates a queue of <paramref name="host"/>, publishes a gzip decompression of the pinned
    /// <paramref name="input"/> into the pinned <paramref name="output"/>, and returns once the device is inside it.</summary>
    private static HardwareQueue StartDecompression(DeviceHost host, byte[] input, byte[] output)
    {
        var domain = new Domain();
        HardwareQueue hq = host.AllocateQueue(domain);
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            domain.Share((nint)src, input.Length); // pinned on the POH: the addresses outlive the fixed blocks
            domain.Share((nint)dst, output.Length);
            Assert.True(QueueRegion.TryOpen(hq.RegionBase, hq.RegionSize, out QueueRegion region, out string? error), error);
            var producer = new SubmissionProducer(region);
            Assert.True(producer.TryPublish(new Sqe
            {
                Opcode = Opcode.Decompress, Algorithm = (byte)CompAlgorithm.Gzip,
                Src = (ulong)src, SrcLen = (uint)input.Length, Dst = (ulong)dst, DstLen = (uint)output.Length,
            }));
            if (producer.RingDoorbellIfWaiting())
            {
                WarpDrive.Platform.Futex.Wake(region.DoorbellAddress);
            }

            Assert.True(SpinWait.SpinUntil(() => region.SqHead == 1, TimeSpan.FromSeconds(10))); // the device is inside
        }

        return hq;
    }
}
