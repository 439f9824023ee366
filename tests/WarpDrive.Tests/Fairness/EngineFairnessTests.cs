using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Devices;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Tests.Fairness;

/// <summary>How a real in-process ZIP device's engine shares its time between tenants: by weight, whatever the number
/// and size of their requests, with long requests on the bulk lane so that they never hold the engine.</summary>
public sealed unsafe class EngineFairnessTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private static DeviceHost Zip(long bulkThreshold = 256 << 10) => new(new ZipDevice("zip-9"), new DeviceHostOptions
    {
        QueueCount = 8,
        WorkerCount = 1,
        QueueDepth = 256,
        BulkThresholdBytes = bulkThreshold,
    });

    private static Sqe Compress(ulong tag, byte* src, int srcLen, byte* dst, int dstLen, byte level = 1) => new()
    {
        UserData = tag,
        Opcode = Opcode.Compress,
        Algorithm = (byte)CompAlgorithm.Gzip,
        Level = level,
        Src = (ulong)src,
        SrcLen = (uint)srcLen,
        Dst = (ulong)dst,
        DstLen = (uint)dstLen,
    };

    [Fact]
    public void TwoTenantsOfWeights1And3GetEngineTime1To3()
    {
        using DeviceHost host = Zip();
        Domain domain = Domain.CreateWholeAddressSpace();
        DeviceTenant light = host.GetTenant(5001, 1), heavy = host.GetTenant(5002, 3);
        const int Size = 64 << 10, Depth = 384; // 128 in flight per queue: no tenant runs dry between two refills
        byte* src = RawTenantQueue.Alloc(Size);
        byte* dst = RawTenantQueue.Alloc(Depth * 2 * Size);
        TestData.Text(Size, seed: 5).CopyTo(new Span<byte>(src, Size));
        try
        {
            // The weight-1 tenant floods from two queues, the weight-3 one from one: queues do not buy time.
            using var a1 = new RawTenantQueue(host, domain, light);
            using var a2 = new RawTenantQueue(host, domain, light);
            using var b = new RawTenantQueue(host, domain, heavy);
            RawTenantQueue[] queues = [a1, a2, b];
            var clock = Stopwatch.StartNew();
            TimeSpan lightStart = TimeSpan.Zero, heavyStart = TimeSpan.Zero;
            bool measuring = false;
            long completions = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(4))
            {
                if (!measuring && clock.Elapsed > TimeSpan.FromSeconds(1))
                {
                    // Measure from a full backlog on, not from the ramp-up.
                    (lightStart, heavyStart, measuring) = (light.EngineTime, heavy.EngineTime, true);
                }

                for (int q = 0; q < queues.Length; q++)
                {
                    while (queues[q].TryReap(out Cqe cqe))
                    {
                        Assert.Equal(CompletionStatus.Ok, cqe.Status);
                        completions++;
                    }

                    while (queues[q].InFlight < Depth / 3)
                    {
                        ulong tag = (ulong)completions + (ulong)q;
                        Assert.True(queues[q].TrySubmit(Compress(tag, src, Size, dst + (q * Depth / 3 * Size), Size + 1024)));
                    }
                }

                Thread.Sleep(1);
            }

            double lightTime = (light.EngineTime - lightStart).TotalSeconds, heavyTime = (heavy.EngineTime - heavyStart).TotalSeconds;
            double ratio = heavyTime / lightTime;
            Assert.True(ratio is > 2.7 and < 3.3, $"engine time weight 3 : weight 1 = {heavyTime:F3} s : {lightTime:F3} s = {ratio:F2}, not 3 within 10%");
            foreach (RawTenantQueue q in queues)
            {
                while (q.InFlight > 0)
                {
                    Assert.Equal(CompletionStatus.Ok, q.Reap(s_timeout).Status);
                }
            }
        }
        finally
        {
            NativeMemory.AlignedFree(src);
            NativeMemory.AlignedFree(dst);
        }
    }

    [Theory]
    [InlineData(64 << 10, 256 << 10)] // on the engine
    [InlineData(1 << 20, 64 << 10)] // on the bulk lane
    public void ACappedTenantAloneGetsItsCapOfTheDeviceNotMore(int size, int bulkThreshold)
    {
        using DeviceHost host = Zip(bulkThreshold);
        Domain domain = Domain.CreateWholeAddressSpace();
        DeviceTenant capped = host.GetTenant(5001, 1, maxSharePercent: 25);
        const int Depth = 16;
        byte* src = RawTenantQueue.Alloc(size);
        byte* dst = RawTenantQueue.Alloc(Depth * (size + 4096));
        TestData.Text(size, seed: 6).CopyTo(new Span<byte>(src, size));
        try
        {
            using var q = new RawTenantQueue(host, domain, capped);
            var clock = Stopwatch.StartNew();
            TimeSpan startTime = TimeSpan.Zero, startClock = TimeSpan.Zero;
            bool measuring = false;
            ulong tag = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(4))
            {
                if (!measuring && clock.Elapsed > TimeSpan.FromSeconds(1))
                {
                    (startTime, startClock, measuring) = (capped.EngineTime, clock.Elapsed, true);
                }

                while (q.TryReap(out Cqe cqe))
                {
                    Assert.Equal(CompletionStatus.Ok, cqe.Status);
                }

                while (q.InFlight < Depth)
                {
                    Assert.True(q.TrySubmit(Compress(++tag, src, size, dst + ((int)(tag % Depth) * (size + 4096)), size + 4096)));
                }

                Thread.Sleep(1);
            }

            double share = (capped.EngineTime - startTime).TotalSeconds / (clock.Elapsed - startClock).TotalSeconds;
            // The cap is the bound that matters (< 30 %). Below it, how much of the wall clock the tenant gets also depends
            // on the OS giving the worker a CPU: at load 16 on 2 vCPUs it got 17.6 %, so the floor only shows that the
            // bucket refills (a bucket that never refilled would leave it near 0 %).
            Assert.True(share is > 0.10 and < 0.30, $"a tenant capped at 25 % used {share:P1} of the device alone");
            while (q.InFlight > 0)
            {
                Assert.Equal(CompletionStatus.Ok, q.Reap(s_timeout).Status);
            }
        }
        finally
        {
            NativeMemory.AlignedFree(src);
            NativeMemory.AlignedFree(dst);
        }
    }

    [Fact]
    public void ATenantOfLongRequestsLeavesAnotherTenantsNoOpP99Under50Ms()
    {
        // Without the bulk lane (threshold 0) this no-op p99 was 1,464 ms: each 16 MiB request held the engine.
        using DeviceHost host = Zip();
        Domain domain = Domain.CreateWholeAddressSpace();
        DeviceTenant flood = host.GetTenant(5001, 1), polite = host.GetTenant(5002, 1);
        const int Big = 16 << 20; // level 9: hundreds of milliseconds on this machine
        byte* src = RawTenantQueue.Alloc(Big);
        byte* dst = RawTenantQueue.Alloc(Big + (1 << 20));
        TestData.Text(Big, seed: 9).CopyTo(new Span<byte>(src, Big));
        using var stop = new CancellationTokenSource();
        var floodQueues = Enumerable.Range(0, 4).Select(_ => new RawTenantQueue(host, domain, flood)).ToArray();
        long floodDone = 0;
        var flooder = new Thread(() =>
        {
            ulong tag = 0;
            while (!stop.IsCancellationRequested)
            {
                foreach (RawTenantQueue q in floodQueues)
                {
                    while (q.TryReap(out Cqe cqe))
                    {
                        Assert.Equal(CompletionStatus.Ok, cqe.Status);
                        Interlocked.Increment(ref floodDone);
                    }

                    while (q.InFlight < 2 && q.TrySubmit(Compress(++tag, src, Big, dst, Big + (1 << 20), level: 9)))
                    {
                    }
                }

                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        try
        {
            flooder.Start();
            Thread.Sleep(500); // the flood's queues are full before the first no-op
            using var mine = new RawTenantQueue(host, domain, polite);
            TimeSpan floodStart = flood.EngineTime;
            var latencies = new List<double>();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(4))
            {
                long start = Stopwatch.GetTimestamp();
                Cqe cqe = mine.Run(new Sqe { UserData = 1, Opcode = Opcode.Nop }, s_timeout);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                Assert.Equal(CompletionStatus.Ok, cqe.Status);
                Thread.Sleep(2);
            }

            latencies.Sort();
            double p99 = latencies[(int)(latencies.Count * 0.99)];
            TimeSpan floodTime = flood.EngineTime - floodStart;
            Assert.True(p99 < 50, $"no-op p99 {p99:F1} ms beside a flood of 16 MiB requests (p50 {latencies[latencies.Count / 2]:F2} ms, {latencies.Count} no-ops, flood {floodTime.TotalSeconds:F1} s of engine time, {Volatile.Read(ref floodDone)} done)");
            Assert.True(floodTime > TimeSpan.FromSeconds(1), $"the flood ran meanwhile too ({floodTime.TotalSeconds:F2} s of engine time)");
        }
        finally
        {
            stop.Cancel();
            flooder.Join();
            foreach (RawTenantQueue q in floodQueues)
            {
                while (q.InFlight > 0)
                {
                    q.Reap(s_timeout);
                }

                q.Dispose();
            }

            NativeMemory.AlignedFree(src);
            NativeMemory.AlignedFree(dst);
        }
    }

    [Fact]
    public void RequestsOverTheThresholdCompleteInQueueOrderWithRightOutput()
    {
        using DeviceHost host = Zip(bulkThreshold: 64 << 10);
        Domain domain = Domain.CreateWholeAddressSpace();
        const int Big = 1 << 20, Small = 4096;
        byte* src = RawTenantQueue.Alloc(Big);
        byte* dst = RawTenantQueue.Alloc(8 * (Big + 4096));
        byte[] text = TestData.Text(Big, seed: 11);
        text.CopyTo(new Span<byte>(src, Big));
        try
        {
            using var q = new RawTenantQueue(host, domain, host.GetTenant(5001, 1));
            int[] sizes = [Big, Small, Big, Small, Small, Big];
            for (int i = 0; i < sizes.Length; i++)
            {
                Assert.True(q.TrySubmit(Compress((ulong)i, src, sizes[i], dst + (i * (Big + 4096)), Big + 4096)));
            }

            for (int i = 0; i < sizes.Length; i++)
            {
                Cqe cqe = q.Reap(s_timeout);
                Assert.Equal((ulong)i, cqe.UserData); // the bulk lane keeps the queue's order
                Assert.Equal(CompletionStatus.Ok, cqe.Status);
                byte[] output = new Span<byte>(dst + (i * (Big + 4096)), (int)cqe.Produced).ToArray();
                using var gzip = new GZipStream(new MemoryStream(output), CompressionMode.Decompress);
                using var plain = new MemoryStream();
                gzip.CopyTo(plain);
                Assert.True(plain.ToArray().AsSpan().SequenceEqual(text.AsSpan(0, sizes[i])));
            }

            Assert.Equal(0, q.InFlight);
        }
        finally
        {
            NativeMemory.AlignedFree(src);
            NativeMemory.AlignedFree(dst);
        }
    }

    [Fact]
    public void AQueueReleasedWhileItsRequestWaitsForTheBulkLaneIsDroppedAndItsNextOwnerUnharmed()
    {
        using DeviceHost host = Zip(bulkThreshold: 64 << 10);
        Domain domain = Domain.CreateWholeAddressSpace();
        const int Big = 32 << 20;
        byte* src = RawTenantQueue.Alloc(Big);
        byte* dst = RawTenantQueue.Alloc(Big + 4096);
        TestData.Text(Big, seed: 12).CopyTo(new Span<byte>(src, Big));
        try
        {
            // Two long requests: the first runs on the lane, the second waits behind it when its queue is released.
            using var busy = new RawTenantQueue(host, domain, host.GetTenant(5001, 1));
            var doomed = new RawTenantQueue(host, domain, host.GetTenant(5002, 1));
            Assert.True(busy.TrySubmit(Compress(1, src, Big, dst, Big + 4096, level: 9)));
            Thread.Sleep(50);
            Assert.True(doomed.TrySubmit(Compress(2, src, Big, dst, Big + 4096, level: 9)));
            SpinWait.SpinUntil(() => doomed.Queue.InBulk, s_timeout);
            Assert.True(doomed.Queue.InBulk);
            doomed.Dispose(); // released: nobody waits for its request
            using var next = new RawTenantQueue(host, domain, host.GetTenant(5003, 1));
            Assert.Same(doomed.Queue, next.Queue); // the same queue, started anew
            Assert.False(next.Queue.InBulk);
            Assert.Equal(CompletionStatus.Ok, next.Run(new Sqe { UserData = 3, Opcode = Opcode.Nop }, s_timeout).Status);
            Assert.Equal(CompletionStatus.Ok, busy.Reap(s_timeout).Status);
            // The lane dropped the released queue's request: the new owner sees only its own completions.
            Assert.Equal(CompletionStatus.Ok, next.Run(new Sqe { UserData = 4, Opcode = Opcode.Nop }, s_timeout).Status);
            Thread.Sleep(100);
            Assert.False(next.TryReap(out _));
        }
        finally
        {
            NativeMemory.AlignedFree(src);
            NativeMemory.AlignedFree(dst);
        }
    }
}
