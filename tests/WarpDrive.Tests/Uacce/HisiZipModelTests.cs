using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using WarpDrive.Abi.Uacce;
using WarpDrive.Devices.Engines;
using WarpDrive.TestSupport.HisiQm;
using WarpDrive.TestSupport.HisiZip;
using WarpDrive.Discovery;

namespace WarpDrive.Tests.Uacce;

/// <summary>The HiSilicon ZIP device model, driven by hand as the hisi_qm driver drives the hardware: SQEs written into
/// the DUS, doorbells rung through the queue file, CQEs read back by phase.</summary>
public sealed unsafe class HisiZipModelTests : IDisposable
{
    private const string Name = "hisi_zip-0";
    private const int Einval = 22;
    private const int Enotty = 25;
    private static readonly byte[] s_gzipHeader = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];
    private static readonly byte[] s_text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i % 97} of the model's test text, ")));

    private readonly string _root = Directory.CreateTempSubdirectory("hisi-zip-").FullName;

    private string ClassDirectory => Path.Combine(_root, "class", "uacce");

    private string DevDirectory => Path.Combine(_root, "dev");

    private string Node => Path.Combine(DevDirectory, Name);

    private HisiZipModel Published(HisiZipModelOptions? options = null)
    {
        var model = new HisiZipModel(Name, options);
        model.Publish(ClassDirectory, DevDirectory);
        return model;
    }

    [Fact]
    public void PublishWritesTheKernelAttributesThatDiscoveryReadsAndOpenAndReleaseCountInstances()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { NumaNode = 1 });
        string device = Path.Combine(ClassDirectory, Name);

        Assert.Equal("hisi_qm_v2\n", File.ReadAllText(Path.Combine(device, "api")));
        Assert.Equal("1\n", File.ReadAllText(Path.Combine(device, "flags")));
        Assert.Equal("zlib\ngzip\n", File.ReadAllText(Path.Combine(device, "algorithms")));
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(device, "isolate")));
        Assert.Equal("0\n", File.ReadAllText(Path.Combine(device, "isolate_strategy")));
        Assert.Equal("8192\n", File.ReadAllText(Path.Combine(device, "region_mmio_size")));
        long page = Environment.SystemPageSize;
        long dus = ((((128 + 16) * 1024) + page - 1) / page * page) + page;
        Assert.Equal(dus, model.DusSize);
        Assert.Equal($"{dus}\n", File.ReadAllText(Path.Combine(device, "region_dus_size")));
        Assert.Equal("1\n", File.ReadAllText(Path.Combine(device, "device", "numa_node")));
        Assert.NotNull(new FileInfo(Path.Combine(device, "device")).LinkTarget);
        Assert.True(File.Exists(Node));

        WdDeviceInfo info = Assert.Single(KernelDeviceDirectory.Read(ClassDirectory));
        Assert.Equal((Name, "kernel", "hisi_qm_v2"), (info.Name, info.Location, info.Api));
        Assert.Equal("SVA", info.Attributes["flags"]);
        Assert.True(info.HasSva);
        Assert.Equal("zlib gzip", info.Attributes["algorithms"]);
        Assert.Equal(["zlib", "gzip"], info.Algorithms);
        Assert.Equal(1, info.NumaNode);
        Assert.Equal(4, info.AvailableInstances);

        IUacceQueueFile first = model.Open(Node);
        IUacceQueueFile second = model.Open(Node);
        Assert.Equal(2, model.AvailableInstances);
        Assert.Equal(2, Assert.Single(KernelDeviceDirectory.Read(ClassDirectory)).AvailableInstances);
        Assert.Equal([0, 1], model.OpenQueues.Select(q => (int)q.QueueId));

        first.Dispose();
        Assert.Equal(3, Assert.Single(KernelDeviceDirectory.Read(ClassDirectory)).AvailableInstances);
        second.Dispose();
        Assert.Equal("4\n", File.ReadAllText(Path.Combine(device, "available_instances")));
        Assert.Empty(model.OpenQueues);
    }

    [Fact]
    public void OpeningMoreQueuesThanTheDeviceHasIsEBUSYAndOnlyThePublishedNodeOpens()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { QueueCount = 2 });
        using IUacceQueueFile a = model.Open(Node);
        IUacceQueueFile b = model.Open(Node);

        IOException busy = Assert.Throws<IOException>(() => model.Open(Node));
        Assert.Equal(16, busy.HResult);
        Assert.Contains("Device or resource busy", busy.Message, StringComparison.Ordinal);

        b.Dispose();
        using IUacceQueueFile c = model.Open(Node);
        Assert.Equal(1, ((HisiQmModelQueue)c).QueueId); // the freed queue pair again
        Assert.Throws<FileNotFoundException>(() => model.Open(Path.Combine(DevDirectory, "hisi_zip-9")));
    }

    [Fact]
    public void IoctlsAndMappingsOutOfTurnAreRefusedAsTheKernelRefusesThem()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 64 });
        using IUacceQueueFile queue = model.Open(Node);

        Assert.Equal(Enotty, queue.Ioctl(0x5799, null));
        Assert.Equal(Einval, queue.Ioctl(UacceIoctl.StartQueue, null)); // nothing mapped yet

        var info = default(HisiQpInfo);
        Assert.Equal(0, queue.Ioctl(UacceIoctl.QmSetQpInfo, &info));
        Assert.Equal((128u, (ushort)64, (ushort)64), (info.SqeSize, info.SqDepth, info.CqDepth));

        var context = new HisiQpContext { QcType = 2 };
        Assert.Equal(Einval, queue.Ioctl(UacceIoctl.QmSetQpContext, &context));
        context.QcType = 1;
        Assert.Equal(0, queue.Ioctl(UacceIoctl.QmSetQpContext, &context));
        Assert.Equal(((HisiQmModelQueue)queue).QueueId, context.Id);
        Assert.Equal(1, ((HisiQmModelQueue)queue).QcType);

        IOException wrong = Assert.Throws<IOException>(() => queue.Map(UacceRegion.Dus, model.DusSize - 4096));
        Assert.Equal(Einval, wrong.HResult);
        Assert.Equal(Einval, Assert.Throws<IOException>(() => queue.Map(UacceRegion.Mmio, 4096)).HResult);
        nint mmio = queue.Map(UacceRegion.Mmio, HisiZipModel.MmioSize);
        Assert.Equal(Einval, queue.Ioctl(UacceIoctl.StartQueue, null)); // the DUS still unmapped
        nint dus = queue.Map(UacceRegion.Dus, model.DusSize);
        Assert.Equal(dus, queue.Map(UacceRegion.Dus, model.DusSize));
        Assert.Equal(0, mmio % Environment.SystemPageSize);
        Assert.Equal(0, dus % Environment.SystemPageSize);

        Assert.Equal(0, queue.Ioctl(UacceIoctl.StartQueue, null));
        Assert.Equal(Einval, queue.Ioctl(UacceIoctl.StartQueue, null));
        Assert.Equal(Einval, queue.Ioctl(UacceIoctl.QmSetQpContext, &context)); // too late to change the type

        using var old = new HisiZipModel("hisi_zip-1", new HisiZipModelOptions { SupportsQpInfo = false });
        old.Publish(ClassDirectory, DevDirectory);
        using IUacceQueueFile oldQueue = old.Open(Path.Combine(DevDirectory, "hisi_zip-1"));
        Assert.Equal(Einval, oldQueue.Ioctl(UacceIoctl.QmSetQpInfo, &info));
        Assert.Equal(HisiQmDus.DefaultDepth, old.Depth);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void AGzipBlockRequestCompressesIntoAFlatBufferThatGzipReadsBack(string engine)
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Engine = DeflateEngine.FromName(engine) });
        using var driver = new Driver(model, Node, qcType: 0);
        byte[] input = Pinned(s_text);
        byte[] output = Pinned(new byte[input.Length + 1024]);
        s_gzipHeader.CopyTo(output, 0); // the driver writes the header, the device the deflate data and the trailer

        driver.Submit(Request(HisiZipAlgorithm.Gzip, input, 0, input.Length, output, s_gzipHeader.Length, output.Length - s_gzipHeader.Length));
        (HisiQmCqe cqe, HisiZipSqe done) = driver.Receive();

        Assert.True(cqe.Phase);
        Assert.Equal((0, driver.QueueId), (cqe.SqHead, cqe.SqNumber));
        Assert.Equal(HisiZipStatus.Ok, done.Status);
        Assert.Equal((uint)input.Length, done.Consumed);
        Assert.Equal((uint)input.Length, done.Isize);
        Assert.Equal(BitConverter.ToUInt32(output, s_gzipHeader.Length + (int)done.Produced - 8), done.Checksum);
        using var gzip = new GZipStream(new MemoryStream(output, 0, s_gzipHeader.Length + (int)done.Produced), CompressionMode.Decompress);
        Assert.Equal(input, ReadAll(gzip));
        Assert.Equal(1, driver.Queue.RequestsServed);
    }

    [Fact]
    public void ADecompressionQueueReadsZlibDataToItsEndAndABadTrailerIsACRCError()
    {
        using HisiZipModel model = Published();
        using var driver = new Driver(model, Node, qcType: 1);
        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(s_text);
        }

        byte[] input = Pinned([.. compressed.ToArray(), 0xAA, 0xBB]); // two bytes after the stream stay unconsumed
        int length = input.Length - 2; // after the 2-byte header the driver skips
        byte[] output = Pinned(new byte[s_text.Length + 100]);

        driver.Submit(Request(HisiZipAlgorithm.Zlib, input, 2, length, output, 0, output.Length));
        (_, HisiZipSqe done) = driver.Receive();
        Assert.Equal(HisiZipStatus.DecompressEnd, done.Status);
        Assert.Equal(HisiZipSqe.LastBlockBit, done.Dw3 & HisiZipSqe.LastBlockBit);
        Assert.Equal((uint)(length - 2), done.Consumed);
        Assert.Equal((uint)s_text.Length, done.Produced);
        Assert.Equal(s_text, output.AsSpan(0, s_text.Length).ToArray());

        input[^3] ^= 0x01; // the Adler-32's last byte
        driver.Submit(Request(HisiZipAlgorithm.Zlib, input, 2, length, output, 0, output.Length));
        (HisiQmCqe cqe, done) = driver.Receive();
        Assert.Equal(1, cqe.SqHead);
        Assert.Equal(HisiZipStatus.CrcError, done.Status);
        Assert.Equal(0u, done.Dw3 & HisiZipSqe.LastBlockBit);
    }

    [Fact]
    public void ThePhaseFlipsEachTimeTheCompletionQueueWraps()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 4 });
        using var driver = new Driver(model, Node, qcType: 0);
        byte[] input = Pinned(s_text.AsSpan(0, 1000).ToArray());
        byte[] output = Pinned(new byte[2000]);
        for (int i = 0; i < 10; i++)
        {
            driver.Submit(Request(HisiZipAlgorithm.Deflate, input, 0, input.Length, output, 0, output.Length));
            (HisiQmCqe cqe, HisiZipSqe done) = driver.Receive();

            Assert.Equal(i / 4 % 2 == 0, cqe.Phase);
            Assert.Equal(i % 4, cqe.SqHead);
            Assert.Equal(HisiZipStatus.Ok, done.Status);
            using var inflate = new DeflateStream(new MemoryStream(output, 0, (int)done.Produced), CompressionMode.Decompress);
            Assert.Equal(input, ReadAll(inflate));
        }

        Assert.Equal(10, driver.Queue.RequestsServed);
    }

    [Fact]
    public void PutQueueSetsBothStatusWordsAndLaterDoorbellsAreIgnored()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 8 });
        using var driver = new Driver(model, Node, qcType: 0);
        uint* tx = (uint*)(driver.Dus + HisiQmDus.TxStatusOffset(model.DusSize));
        uint* rx = (uint*)(driver.Dus + HisiQmDus.RxStatusOffset(model.DusSize));
        Assert.Equal((0u, 0u), (*tx, *rx));

        Assert.Equal(0, driver.File.Ioctl(UacceIoctl.PutQueue, null));

        Assert.Equal((HisiQmDus.Stopped, HisiQmDus.Stopped), (*tx, *rx));
        Assert.False(driver.Queue.IsServing);
        Assert.True(driver.File.WaitReadable(TimeSpan.FromSeconds(5))); // a stopped queue is readable at once
        byte[] input = Pinned(s_text.AsSpan(0, 100).ToArray());
        byte[] output = Pinned(new byte[200]);
        driver.Submit(Request(HisiZipAlgorithm.Deflate, input, 0, input.Length, output, 0, output.Length));
        Thread.Sleep(50);
        Assert.Equal(0, driver.Queue.RequestsServed);
        Assert.Equal(Einval, driver.File.Ioctl(UacceIoctl.StartQueue, null));
    }

    [Fact]
    public void StoppingTheModelStopsEveryQueue()
    {
        using HisiZipModel model = Published();
        using var a = new Driver(model, Node, qcType: 0);
        using var b = new Driver(model, Node, qcType: 1);

        model.Stop();

        foreach (Driver driver in (Driver[])[a, b])
        {
            Assert.Equal(HisiQmDus.Stopped, *(uint*)(driver.Dus + HisiQmDus.TxStatusOffset(model.DusSize)));
            Assert.Equal(HisiQmDus.Stopped, *(uint*)(driver.Dus + HisiQmDus.RxStatusOffset(model.DusSize)));
            Assert.True(driver.File.WaitReadable(TimeSpan.FromSeconds(5)));
        }

        Assert.All(model.OpenQueues, q => Assert.False(q.IsServing));
    }

    [Fact]
    public void DoorbellsForAnotherQueueNumberAreIgnored()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 8 });
        using var driver = new Driver(model, Node, qcType: 0);
        byte[] input = Pinned(s_text.AsSpan(0, 100).ToArray());
        byte[] output = Pinned(new byte[200]);
        driver.WriteSqe(0, Request(HisiZipAlgorithm.Deflate, input, 0, input.Length, output, 0, output.Length));

        driver.File.WriteMmio64(HisiQmDoorbell.OffsetV2, HisiQmDoorbell.EncodeV2((ushort)(driver.QueueId + 1), HisiQmDoorbell.CommandSq, 1, 0));
        Assert.False(driver.File.WaitReadable(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(0, driver.Queue.RequestsServed);

        driver.File.WriteMmio64(HisiQmDoorbell.OffsetV2, HisiQmDoorbell.EncodeV2(driver.QueueId, HisiQmDoorbell.CommandSq, 1, 0));
        Assert.Equal(HisiZipStatus.Ok, driver.Receive().Sqe.Status);
    }

    [Fact]
    public void BlockModeStatusesForRequestsTheDeviceCannotComplete()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 16 });
        using var compress = new Driver(model, Node, qcType: 0);
        using var decompress = new Driver(model, Node, qcType: 1);
        byte[] input = Pinned(s_text);
        byte[] small = Pinned(new byte[64]);
        byte[] output = Pinned(new byte[s_text.Length + 1024]);

        HisiZipSqe done = compress.Run(Request(HisiZipAlgorithm.Gzip, input, 0, input.Length, small, 0, small.Length));
        Assert.Equal((HisiZipStatus.OutputTooSmall, 0u, 0u), (done.Status, done.Consumed, done.Produced));

        HisiZipSqe bad = Request(HisiZipAlgorithm.Gzip, input, 0, input.Length, output, 0, output.Length);
        bad.Dw9 = 7;
        Assert.Equal(HisiZipStatus.ModelBadRequest, compress.Run(bad).Status);
        bad = Request(HisiZipAlgorithm.Gzip, input, 0, input.Length, output, 0, output.Length);
        bad.Dw9 |= 2u << HisiZipSqe.BufferTypeShift;
        Assert.Equal(HisiZipStatus.ModelBadRequest, compress.Run(bad).Status);

        byte[] tiny = Pinned([1, 2, 3, 4, 5, 6, 7, 8]);
        done = compress.Run(Request(HisiZipAlgorithm.Gzip, tiny, 0, tiny.Length, output, 0, output.Length));
        Assert.Equal(HisiZipStatus.NegativeCompression, done.Status); // 8 bytes in, more out: still valid
        using (var inflate = new DeflateStream(new MemoryStream(output, 0, (int)done.Produced - 8), CompressionMode.Decompress))
        {
            Assert.Equal(tiny, ReadAll(inflate));
        }

        byte[] deflated = Pinned(Deflate(s_text));
        done = decompress.Run(Request(HisiZipAlgorithm.Deflate, deflated, 0, deflated.Length, small, 0, small.Length));
        Assert.Equal(HisiZipStatus.OutputTooSmall, done.Status);
        done = decompress.Run(Request(HisiZipAlgorithm.Deflate, deflated, 0, deflated.Length - 10, output, 0, output.Length));
        Assert.Equal(HisiZipStatus.ModelTruncatedInput, done.Status);
        Assert.Equal(HisiZipStatus.ModelInvalidInput, decompress.Run(Request(HisiZipAlgorithm.Deflate, tiny, 0, tiny.Length, output, 0, output.Length)).Status);
        done = decompress.Run(Request(HisiZipAlgorithm.Deflate, deflated, 0, deflated.Length, output, 0, output.Length));
        Assert.Equal((HisiZipStatus.DecompressEnd, (uint)s_text.Length), (done.Status, done.Produced));
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void StreamModeCarriesTheChecksumAndIsizeThroughTheSQEAndSplitsTheTrailerAcrossRequests(string engine)
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 16, Engine = DeflateEngine.FromName(engine) });
        using var compress = new Driver(model, Node, qcType: 0);
        using var decompress = new Driver(model, Node, qcType: 1);
        byte[] input = Pinned(s_text);
        byte[] compressed = Pinned(new byte[s_text.Length + 1024]);
        byte[] context = Pinned(new byte[64]);
        s_gzipHeader.CopyTo(compressed, 0);

        // Compression in 7 KiB requests, sync flush until the last.
        int written = s_gzipHeader.Length;
        uint checksum = 0, isize = 0;
        for (int offset = 0, i = 0; offset < input.Length; i++)
        {
            int n = Math.Min(7 * 1024, input.Length - offset);
            bool last = offset + n == input.Length;
            HisiZipSqe sqe = Request(HisiZipAlgorithm.Gzip, input, offset, n, compressed, written, compressed.Length - written,
                stream: true, newStream: i == 0, finish: last, context: context);
            (sqe.Checksum, sqe.Isize) = (checksum, isize);
            HisiZipSqe done = compress.Run(sqe);
            Assert.Equal(HisiZipStatus.Ok, done.Status);
            Assert.Equal((uint)n, done.Consumed);
            (checksum, isize) = (done.Checksum, done.Isize);
            written += (int)done.Produced;
            offset += n;
        }

        using (var gzip = new GZipStream(new MemoryStream(compressed, 0, written), CompressionMode.Decompress))
        {
            Assert.Equal(s_text, ReadAll(gzip));
        }

        // Decompression in requests of 1000 bytes: the last one holds part of the trailer, the one before the rest.
        byte[] output = Pinned(new byte[s_text.Length]);
        int end = written - 3, consumed = s_gzipHeader.Length, produced = 0;
        (checksum, isize) = (0, 0);
        HisiZipSqe result = default;
        for (int i = 0; consumed < written; i++)
        {
            Assert.True(i < 1000);
            int n = Math.Min(1000, (consumed < end ? end : written) - consumed);
            HisiZipSqe sqe = Request(HisiZipAlgorithm.Gzip, compressed, consumed, n, output, produced, output.Length - produced,
                stream: true, newStream: i == 0, finish: false, context: context);
            (sqe.Checksum, sqe.Isize) = (checksum, isize);
            result = decompress.Run(sqe);
            Assert.True(result.Status is HisiZipStatus.Ok or HisiZipStatus.DecompressEnd, $"status {result.Status}");
            (checksum, isize) = (result.Checksum, result.Isize);
            consumed += (int)result.Consumed;
            produced += (int)result.Produced;
        }

        Assert.Equal(HisiZipStatus.DecompressEnd, result.Status);
        Assert.Equal(3u, result.Consumed);
        Assert.Equal(s_text, output);
        Assert.Equal((uint)s_text.Length, isize);
    }

    [Fact]
    public void AStreamTrailerThatDoesNotFitIsWrittenByTheNextRequestOfTheStream()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 16 });
        using var compress = new Driver(model, Node, qcType: 0);
        byte[] input = Pinned(s_text);
        byte[] output = Pinned(new byte[s_text.Length + 1024]);
        byte[] context = Pinned(new byte[64]);
        int size = (int)compress.Run(Request(HisiZipAlgorithm.Gzip, input, 0, input.Length, output, 0, output.Length)).Produced;
        Array.Clear(output);

        HisiZipSqe done = compress.Run(Request(HisiZipAlgorithm.Gzip, input, 0, input.Length, output, 0, size - 3,
            stream: true, newStream: true, context: context));
        Assert.Equal((HisiZipStatus.OutputTooSmall, (uint)input.Length, (uint)size - 3), (done.Status, done.Consumed, done.Produced));
        HisiZipSqe rest = Request(HisiZipAlgorithm.Gzip, input, input.Length, 0, output, size - 3, 100, stream: true, context: context);
        (rest.Checksum, rest.Isize) = (done.Checksum, done.Isize);
        done = compress.Run(rest);
        Assert.Equal((0u, 3u), (done.Consumed, done.Produced));
        Assert.Equal(HisiZipStatus.NegativeCompression, done.Status); // 3 bytes out for none in: still a success

        byte[] gzip = [.. s_gzipHeader, .. output.AsSpan(0, size)];
        using var reader = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        Assert.Equal(s_text, ReadAll(reader));
    }

    [Fact]
    public void StreamDecompressionIntoTooLittleRoomReportsNoSpaceAndGoesOn()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 16 });
        using var decompress = new Driver(model, Node, qcType: 1);
        byte[] deflated = Pinned(Deflate(s_text));
        byte[] output = Pinned(new byte[s_text.Length]);
        byte[] context = Pinned(new byte[64]);
        int consumed = 0, produced = 0;
        HisiZipSqe done = default;
        for (int i = 0; done.Status != HisiZipStatus.DecompressEnd; i++)
        {
            Assert.True(i < 100);
            int room = Math.Min(16 * 1024, output.Length - produced);
            done = decompress.Run(Request(HisiZipAlgorithm.Deflate, deflated, consumed, deflated.Length - consumed, output, produced, room,
                stream: true, newStream: i == 0, finish: true, context: context));
            Assert.True(done.Status is HisiZipStatus.Ok or HisiZipStatus.DecompressEnd, $"status {done.Status}");
            if (done.Status == HisiZipStatus.Ok)
            {
                Assert.Equal(HisiZipContextState.DecompressNoSpace, done.ContextState);
            }

            consumed += (int)done.Consumed;
            produced += (int)done.Produced;
        }

        Assert.Equal((deflated.Length, s_text.Length), (consumed, produced));
        Assert.Equal(s_text, output);
    }

    [Fact]
    public void SGLBuffersAreReadAndWrittenAcrossEntriesAndChainedListsAfterTheOffsets()
    {
        using HisiZipModel model = Published(new HisiZipModelOptions { Depth = 16 });
        using var compress = new Driver(model, Node, qcType: 0);
        using var decompress = new Driver(model, Node, qcType: 1);
        using var input = new Sgl(s_text.Length + 5, [5000, 1, 20000, 7000, 100000]);
        input.Write(5, s_text); // 5 bytes skipped
        using var compressed = new Sgl(s_text.Length + 1024, [333, 4000, 9000, 100000]);

        HisiZipSqe sqe = Request(HisiZipAlgorithm.Zlib, input.Address, s_text.Length, compressed.Address, 0);
        sqe.Dw7 |= 5;
        sqe.Dw8 = 2; // the zlib header's room
        HisiZipSqe done = compress.Run(sqe);
        Assert.Equal(HisiZipStatus.Ok, done.Status);
        byte[] zlib = [0x78, 0x9c, .. compressed.Read(2, (int)done.Produced)];
        using (var reader = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress))
        {
            Assert.Equal(s_text, ReadAll(reader));
        }

        using var output = new Sgl(s_text.Length, [10, 60000, 3000, 100000]);
        sqe = Request(HisiZipAlgorithm.Zlib, compressed.Address, (int)done.Produced, output.Address, (uint)s_text.Length);
        sqe.Dw7 |= 2;
        done = decompress.Run(sqe);
        Assert.Equal(HisiZipStatus.DecompressEnd, done.Status);
        Assert.Equal(s_text, output.Read(0, (int)done.Produced));
    }

    private static HisiZipSqe Request(HisiZipAlgorithm algorithm, byte[] input, int inputOffset, int inputLength, byte[] output,
        int outputOffset, int room, bool stream = false, bool newStream = false, bool finish = true, byte[]? context = null) =>
        Request(algorithm, Address(input) + (ulong)inputOffset, inputLength, Address(output) + (ulong)outputOffset, (uint)room,
            HisiZipSqe.BufferFlat, stream, newStream, finish, context is null ? 0 : Address(context));

    private static HisiZipSqe Request(HisiZipAlgorithm algorithm, ulong source, int inputLength, ulong destination, uint room,
        uint bufferType = HisiZipSqe.BufferSgl, bool stream = false, bool newStream = false, bool finish = true, ulong context = 0) => new()
        {
            Dw7 = (finish ? 1u << HisiZipSqe.FlushTypeShift : 0) | (stream ? 1u << HisiZipSqe.StreamModeShift : 0)
                | (newStream ? 1u << HisiZipSqe.StreamNewShift : 0),
            Dw9 = (uint)algorithm | (bufferType << HisiZipSqe.BufferTypeShift) | (HisiZipSqe.Window32K << HisiZipSqe.WindowSizeShift),
            SourceAddress = source,
            InputDataLength = (uint)inputLength,
            DestinationAddress = destination,
            DestAvailOut = room,
            StreamContextAddress = context,
        };

    private static byte[] Pinned(byte[] data)
    {
        byte[] pinned = GC.AllocateArray<byte>(data.Length, pinned: true);
        data.CopyTo(pinned, 0);
        return pinned;
    }

    private static ulong Address(byte[] pinned) => (ulong)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    private static byte[] Deflate(byte[] data)
    {
        var stream = new MemoryStream();
        using (var deflate = new DeflateStream(stream, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(data);
        }

        return stream.ToArray();
    }

    private static byte[] ReadAll(Stream stream)
    {
        var result = new MemoryStream();
        stream.CopyTo(result);
        return result.ToArray();
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>What the hisi_qm driver does with a queue: SET_QP_CTX, map, START_Q, SQEs at its SQ tail with an SQ
    /// doorbell each, CQEs at its CQ head by phase with a CQ doorbell each.</summary>
    private sealed class Driver : IDisposable
    {
        private readonly int _depth;
        private readonly HisiQmCqe* _cq;
        private int _sqTail;
        private int _cqHead;
        private bool _phase = true;

        public Driver(HisiZipModel model, string node, ushort qcType)
        {
            File = model.Open(node);
            var context = new HisiQpContext { QcType = qcType };
            Assert.Equal(0, File.Ioctl(UacceIoctl.QmSetQpContext, &context));
            QueueId = context.Id;
            _depth = model.Depth;
            _ = File.Map(UacceRegion.Mmio, HisiZipModel.MmioSize);
            Dus = (byte*)File.Map(UacceRegion.Dus, model.DusSize);
            _cq = (HisiQmCqe*)(Dus + HisiQmDus.CqOffset(HisiZipSqe.Size, _depth));
            Assert.Equal(0, File.Ioctl(UacceIoctl.StartQueue, null));
        }

        public IUacceQueueFile File { get; }

        public HisiQmModelQueue Queue => (HisiQmModelQueue)File;

        public ushort QueueId { get; }

        public byte* Dus { get; }

        public void WriteSqe(int slot, in HisiZipSqe sqe) => ((HisiZipSqe*)Dus)[slot] = sqe;

        public void Submit(in HisiZipSqe sqe)
        {
            WriteSqe(_sqTail, sqe);
            _sqTail = (_sqTail + 1) % _depth;
            File.WriteMmio64(HisiQmDoorbell.OffsetV2, HisiQmDoorbell.EncodeV2(QueueId, HisiQmDoorbell.CommandSq, (ushort)_sqTail, 0));
        }

        public (HisiQmCqe Cqe, HisiZipSqe Sqe) Receive()
        {
            HisiQmCqe* entry = _cq + _cqHead;
            long deadline = Environment.TickCount64 + 10_000;
            while ((Volatile.Read(ref entry->W7) & HisiQmCqe.PhaseBit) != (_phase ? 1 : 0))
            {
                Assert.True(Environment.TickCount64 < deadline, "no completion within 10 s");
                _ = File.WaitReadable(TimeSpan.FromMilliseconds(500));
            }

            HisiQmCqe cqe = *entry;
            HisiZipSqe sqe = ((HisiZipSqe*)Dus)[cqe.SqHead];
            if (++_cqHead == _depth)
            {
                _cqHead = 0;
                _phase = !_phase;
            }

            File.WriteMmio64(HisiQmDoorbell.OffsetV2, HisiQmDoorbell.EncodeV2(QueueId, HisiQmDoorbell.CommandCq, (ushort)_cqHead, 0));
            return (cqe, sqe);
        }

        public HisiZipSqe Run(in HisiZipSqe sqe)
        {
            Submit(sqe);
            return Receive().Sqe;
        }

        public void Dispose() => File.Dispose();
    }

    /// <summary>A hisi SGL chain in native memory: lists of at most 2 entries (so that longer data chains lists), each
    /// entry a buffer of the given size.</summary>
    private sealed class Sgl : IDisposable
    {
        private const int EntriesPerList = 2;
        private readonly List<nint> _blocks = [];
        private readonly List<(nint Buffer, int Length)> _entries = [];

        public Sgl(int total, int[] sizes)
        {
            for (int i = 0; total > 0; i++)
            {
                int n = Math.Min(sizes[i % sizes.Length], total);
                _entries.Add((Allocate(n), n));
                total -= n;
            }

            HisiSgl* previous = null;
            for (int first = 0; first < _entries.Count; first += EntriesPerList)
            {
                var sgl = (HisiSgl*)Allocate(HisiSgl.Size + (EntriesPerList * HisiSge.Size));
                int count = Math.Min(EntriesPerList, _entries.Count - first);
                (sgl->EntrySumInSgl, sgl->EntryLength, sgl->EntrySumInChain) = ((ushort)count, EntriesPerList, (ushort)_entries.Count);
                var entries = (HisiSge*)((byte*)sgl + HisiSgl.Size);
                for (int i = 0; i < count; i++)
                {
                    (nint buffer, int length) = _entries[first + i];
                    entries[i] = new HisiSge { Buffer = (ulong)buffer, VirtualBuffer = (ulong)buffer, Length = (uint)length };
                }

                if (previous == null)
                {
                    Address = (ulong)sgl;
                }
                else
                {
                    (previous->NextDma, previous->Next) = ((ulong)sgl, (ulong)sgl);
                }

                previous = sgl;
            }
        }

        public ulong Address { get; }

        public void Write(int offset, ReadOnlySpan<byte> data)
        {
            foreach ((nint buffer, int length) in _entries)
            {
                int skip = Math.Min(offset, length);
                offset -= skip;
                int n = Math.Min(length - skip, data.Length);
                data[..n].CopyTo(new Span<byte>((byte*)buffer + skip, n));
                data = data[n..];
            }
        }

        public byte[] Read(int offset, int count)
        {
            var result = new List<byte>(count);
            foreach ((nint buffer, int length) in _entries)
            {
                int skip = Math.Min(offset, length);
                offset -= skip;
                int n = Math.Min(length - skip, count - result.Count);
                result.AddRange(new ReadOnlySpan<byte>((byte*)buffer + skip, n));
            }

            return [.. result];
        }

        private nint Allocate(int size)
        {
            nint block = (nint)NativeMemory.AllocZeroed((nuint)size);
            _blocks.Add(block);
            return block;
        }

        public void Dispose()
        {
            foreach (nint block in _blocks)
            {
                NativeMemory.Free((void*)block);
            }
        }
    }
}
