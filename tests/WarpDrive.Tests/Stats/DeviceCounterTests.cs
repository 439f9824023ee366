using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Devices;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Tests.Stats;

/// <summary>The engine's counters rise by exactly what went through a real in-process queue, in the host and in the
/// stats file it publishes, and the stats file lives exactly as long as its publisher.</summary>
public sealed unsafe class DeviceCounterTests
{
    [Fact]
    public void CountersRiseByExactlyTheRequestsAndBytesOfARealQueue()
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions
        {
            MixMode = false, // requests go to the device under test, not to Mix mode's inline one
            Mode = WdDeviceMode.Local,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 2, WorkerCount = 1, QueueDepth = 64 },
        });
        using WdQueue queue = runtime.RequestQueue("gzip");
        DeviceHost host = runtime.FindEmbeddedHost("zip-0")!;
        int id = Enumerable.Range(0, 2).Single(i => host.GetQueueStats(i).State == QueueStatsState.Started);
        QueueSnapshot before = host.GetQueueStats(id);
        Assert.Equal(Environment.ProcessId, before.OwnerPid);
        Assert.Equal(0ul, before.Submitted);

        byte[] src = GC.AllocateArray<byte>(64 * 1024, pinned: true);
        byte[] dst = GC.AllocateArray<byte>(128 * 1024, pinned: true);
        TestData.Text(src.Length, seed: 3).CopyTo(src, 0);
        int srcShare, dstShare;
        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            srcShare = queue.Share((nint)s, src.Length);
            dstShare = queue.Share((nint)d, dst.Length);
            ulong bytesIn = 0, bytesOut = 0;
            int[] lengths = [1, 1000, 4096, 20_000, 65_536];
            foreach (int length in lengths)
            {
                Cqe cqe = Run(queue, new Sqe
                {
                    UserData = (ulong)length, Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, Level = 1,
                    Src = (ulong)s, SrcLen = (uint)length, Dst = (ulong)d, DstLen = (uint)dst.Length,
                });
                Assert.Equal(CompletionStatus.Ok, cqe.Status);
                bytesIn += (ulong)length;
                bytesOut += cqe.Produced;
            }

            // A destination too small for one block: OUT_OF_SPACE, consumed 0 (block mode), so no input counted.
            Cqe full = Run(queue, new Sqe
            {
                UserData = 7, Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, Level = 1,
                Src = (ulong)s, SrcLen = (uint)src.Length, Dst = (ulong)d, DstLen = 16,
            });
            Assert.Equal(CompletionStatus.OutOfSpace, full.Status);
            bytesOut += full.Produced;
            Assert.Equal(CompletionStatus.Ok, Run(queue, new Sqe { UserData = 8, Opcode = Opcode.Nop }).Status);
            // Rejected before it runs: an error, and no input taken.
            Assert.Equal(CompletionStatus.BadRequest, Run(queue, new Sqe { UserData = 9, Opcode = Opcode.Nop, Arg = 1, SrcLen = 77 }).Status);

            QueueSnapshot after = host.GetQueueStats(id);
            Assert.Equal(8ul, after.Submitted);
            Assert.Equal(8ul, after.Completed);
            Assert.Equal(1ul, after.Errors);
            Assert.Equal(bytesIn, after.BytesIn);
            Assert.Equal(bytesOut, after.BytesOut);
            Assert.Equal(0ul, after.Depth);
            Assert.Equal(QueueStatsState.Started, after.State);

            // The published file holds the same memory: wd top in another process reads these very counters.
            StatsFile stats = Assert.IsType<StatsFile>(host.Stats);
            Assert.True(StatsFileReader.TryRead(stats.Path, out StatsSnapshot? snapshot, out string? error), error);
            Assert.Equal((Environment.ProcessId, StatsPublisher.InProcess), (snapshot.Pid, snapshot.Publisher));
            // Only the device this process opened a queue on: the others never started, and have no counters to show.
            Assert.Equal(["zip-0"], snapshot.Devices.Select(x => x.Name));
            DeviceSnapshot zip = snapshot.Devices[0];
            Assert.Equal((1, 64, 2), (zip.Workers, zip.QueueDepth, zip.Queues.Count));
            Assert.Equal(after, zip.Queues[id]);

            queue.Unshare(srcShare);
            queue.Unshare(dstShare);
        }

        queue.Dispose();
        QueueSnapshot released = host.GetQueueStats(id);
        Assert.Equal((QueueStatsState.Free, 0, 8ul), (released.State, released.OwnerPid, released.Submitted));
    }

    [Fact]
    public void TheStatsFileIsRemovedWhenItsPublisherIsDisposedAndTheHostCountsOn()
    {
        string run = Directory.CreateTempSubdirectory("wd-stats-").FullName;
        try
        {
            var stats = StatsFile.Create(run, StatsPublisher.InProcess, deviceCapacity: 1, queueCapacity: 2);
            Assert.Equal(Path.Combine(run, "stats"), Path.GetDirectoryName(stats.Path));
            Assert.Equal(Convert.ToInt32("644", 8), (int)File.GetUnixFileMode(stats.Path));
            using (var host = new DeviceHost(new ZipDevice("zip-5"), new DeviceHostOptions { QueueCount = 2, WorkerCount = 1 }, stats))
            {
                // A second device does not fit: it counts in private memory and is not published.
                using var extra = new DeviceHost(new ZipDevice("zip-6"), new DeviceHostOptions { QueueCount = 1, WorkerCount = 1 }, stats);
                Assert.Null(extra.Stats);
                Assert.True(StatsFileReader.TryRead(stats.Path, out StatsSnapshot? snapshot, out string? error), error);
                Assert.Equal("zip-5", Assert.Single(snapshot.Devices).Name);

                // Disposing the file first removes it, but the host's engines keep counting in the mapping.
                stats.Dispose();
                Assert.False(File.Exists(stats.Path));
                HardwareQueue q = host.AllocateQueue(new Domain());
                var producer = new SubmissionProducer(q.Region);
                Assert.True(producer.TryPublish(new Sqe { UserData = 1, Opcode = Opcode.Nop }));
                if (producer.RingDoorbellIfWaiting())
                {
                    global::WarpDrive.Platform.Futex.Wake(q.Region.DoorbellAddress);
                }

                Assert.True(SpinWait.SpinUntil(() => host.GetQueueStats(q.Id).Completed == 1, TimeSpan.FromSeconds(10)));
                Assert.Equal(1ul, host.GetQueueStats(q.Id).Submitted);
                host.ReleaseQueue(q);
            }
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    private static Cqe Run(WdQueue queue, Sqe sqe)
    {
        Assert.True(queue.TrySend(in sqe));
        queue.Flush();
        Assert.True(queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)));
        Assert.Equal(sqe.UserData, cqe.UserData);
        return cqe;
    }
}
