using System.Buffers;
using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.TestSupport.HisiZip;
using WarpDrive.Drivers;
using WarpDrive.Streams;

namespace WarpDrive.Tests.Uacce;

/// <summary>libwd's hisi_qm v2 ZIP driver, end to end through the kernel transport on the device model of that hardware
/// (a fake /sys/class/uacce and /dev, queue files from <see cref="HisiZipModel"/>): what runs on a Kunpeng machine,
/// with the model where the kernel and the engine stand.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class HisiZipDriverTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wd-hisi-").FullName;
    private readonly List<IDisposable> _owned = [];

    private string ClassDirectory => Path.Combine(_root, "sys", "class", "uacce");

    private string DeviceDirectory => Path.Combine(_root, "dev");

    private (HisiZipModel Model, WdRuntime Runtime) Start(HisiZipModelOptions? options = null, WdDeviceMode mode = WdDeviceMode.Kernel)
    {
        var model = new HisiZipModel("hisi_zip-0", options);
        _owned.Add(model);
        Directory.CreateDirectory(ClassDirectory);
        Directory.CreateDirectory(DeviceDirectory);
        model.Publish(ClassDirectory, DeviceDirectory);
        var runtime = new WdRuntime(new WdRuntimeOptions
        {
            MixMode = false, // requests go to the device under test, not to Mix mode's inline one
            Mode = mode,
            Uacce = new UacceOptions { ClassDirectory = ClassDirectory, DeviceDirectory = DeviceDirectory, OpenQueueFile = model.Open },
        });
        _owned.Insert(0, runtime); // disposed before the model
        return (model, runtime);
    }

    private static CompressionSession Session(WdRuntime runtime, CompressionAlgorithm algorithm, CompressionDirection direction,
        SessionMode mode = SessionMode.Block) =>
        new(new CompressionSessionOptions { Algorithm = algorithm, Direction = direction, Mode = mode }, runtime);

    private static byte[] Compress(CompressionSession session, byte[] input)
    {
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
        CompressionResult r = session.Process(input, output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(input.Length, r.Consumed);
        return output[..r.Produced];
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Gzip)]
    [InlineData(CompressionAlgorithm.Zlib)]
    public void BlockRequestsRoundTripOnTheKernelDeviceAndStandardToolsReadTheOutput(CompressionAlgorithm algorithm)
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Text(300_000);
        using CompressionSession compress = Session(runtime, algorithm, CompressionDirection.Compress);
        Assert.Equal("kernel", compress.Device.Location);
        Assert.Equal("hisi_zip-0", compress.Device.Name);
        byte[] compressed = Compress(compress, input);
        Assert.True(compressed.Length < input.Length / 2);
        Assert.Equal(input, RuntimeCodecs.Decompress(algorithm, compressed));

        using CompressionSession decompress = Session(runtime, algorithm, CompressionDirection.Decompress);
        byte[] output = new byte[input.Length];
        CompressionResult r = decompress.Process(RuntimeCodecs.Compress(algorithm, input), output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.True(r.EndOfStream);
        Assert.Equal(input, output[..r.Produced]);
    }

    [Fact]
    public void GzipReadsTheDriversOutputAndTheDriverReadsGzipWithAFileName()
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Text(200_000, seed: 7);
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress);
        string file = Path.Combine(_root, "data.txt");
        File.WriteAllBytes(file + ".gz", Compress(compress, input));
        (int code, _, string stderr) = CliRunner.Run("gzip", $"-t '{file}.gz'");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliRunner.Run("gzip", $"-d '{file}.gz'");
        Assert.True(code == 0, stderr);
        Assert.Equal(input, File.ReadAllBytes(file));

        // gzip keeps the file name in the header (FNAME): the driver reads it off before the engine's input.
        (code, _, stderr) = CliRunner.Run("gzip", $"-9 '{file}'");
        Assert.True(code == 0, stderr);
        byte[] gz = File.ReadAllBytes(file + ".gz");
        Assert.NotEqual(0, gz[3] & 0x08);
        using CompressionSession decompress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Decompress);
        byte[] output = new byte[input.Length];
        CompressionResult r = decompress.Process(gz, output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(gz.Length, r.Consumed);
        Assert.Equal(input, output[..r.Produced]);
    }

    [Fact]
    public void StreamModeCarriesHistoryChecksumAndHeaderAcrossRequests()
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Text(500_000, seed: 3);
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress, SessionMode.Stream);
        var compressed = new MemoryStream();
        byte[] chunkOut = new byte[48 * 1024]; // smaller than the input chunks: the driver gives the engine what fits
        const int Chunk = 64 * 1024;
        for (int offset = 0; offset < input.Length;)
        {
            int length = Math.Min(Chunk, input.Length - offset);
            bool last = offset + length == input.Length;
            CompressionResult r = compress.Process(input.AsSpan(offset, length), chunkOut, last);
            Assert.True(r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, r.Status.ToString());
            compressed.Write(chunkOut, 0, r.Produced);
            offset += r.Consumed;
            if (last && r.Status == CompletionStatus.Ok && r.Consumed == length)
            {
                Assert.True(r.EndOfStream);
            }
        }

        byte[] gz = compressed.ToArray();
        Assert.Equal(input, RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, gz));

        // Back through stream decompression in pieces small enough to split the header (3 bytes first) and the trailer.
        using CompressionSession decompress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Decompress, SessionMode.Stream);
        var plain = new MemoryStream();
        byte[] window = new byte[16 * 1024];
        int at = 0;
        bool ended = false;
        int[] sizes = [3, 4, 5000, 1, 20_000];
        for (int step = 0; !ended; step++)
        {
            int length = Math.Min(step < sizes.Length ? sizes[step] : 7_000, gz.Length - at);
            bool last = at + length == gz.Length;
            CompressionResult r = decompress.Process(gz.AsSpan(at, length), window, last);
            Assert.True(r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, $"{r.Status} {r.DataError} at {at}");
            plain.Write(window, 0, r.Produced);
            at += r.Consumed;
            ended = r.EndOfStream;
            Assert.True(step < 10_000);
        }

        Assert.Equal(gz.Length, at);
        Assert.Equal(input, plain.ToArray());
    }

    [Fact]
    public void TheStreamAdaptersRoundTripThroughTheKernelDeviceIncludingConcatenatedMembers()
    {
        (_, WdRuntime runtime) = Start();
        byte[] first = TestData.Text(150_000, seed: 21), second = TestData.Text(90_000, seed: 22);
        var gz = new MemoryStream();
        foreach (byte[] part in new[] { first, second })
        {
            // Each WdGZipStream writes one member; its Dispose finishes it with an empty last request.
            using var writer = new WdGZipStream(gz, CompressionMode.Compress, 6, leaveOpen: true, runtime);
            writer.Write(part, 0, 1000);
            writer.Write(part.AsSpan(1000));
        }

        byte[] both = gz.ToArray();
        (int code, string stdout, string stderr) = CliRunner.Run("sh", $"-c 'gzip -dc | wc -c'", stdinFile: WriteTemp(both));
        Assert.True(code == 0, stderr);
        Assert.Equal(first.Length + second.Length, int.Parse(stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture));

        using var reader = new WdGZipStream(new MemoryStream(both), CompressionMode.Decompress, 6, leaveOpen: false, runtime);
        var plain = new MemoryStream();
        reader.CopyTo(plain, 7_000);
        Assert.Equal([.. first, .. second], plain.ToArray());
    }

    [Fact]
    public void AStreamFinishesWithAnEmptyLastRequestAndTinyOutputBuffers()
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Text(40_000, seed: 4);
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Zlib, CompressionDirection.Compress, SessionMode.Stream);
        var zlib = new MemoryStream();
        byte[] small = new byte[300];
        for (int at = 0; at < input.Length;)
        {
            CompressionResult r = compress.Process(input.AsSpan(at, Math.Min(5000, input.Length - at)), small, last: false);
            Assert.True(r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, r.Status.ToString());
            zlib.Write(small, 0, r.Produced);
            at += r.Consumed;
        }

        CompressionResult end;
        do
        {
            end = compress.Process([], small, last: true); // nothing left but the end: the engine gets a valid empty buffer
            Assert.True(end.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, end.Status.ToString());
            zlib.Write(small, 0, end.Produced);
        }
        while (!end.EndOfStream);

        Assert.Equal(input, RuntimeCodecs.Decompress(CompressionAlgorithm.Zlib, zlib.ToArray()));
    }

    [Fact]
    public async Task DisposingWhileAsyncRequestsWaitForSlotsLeavesNothingDangling()
    {
        for (int round = 0; round < 3; round++)
        {
            (_, WdRuntime runtime) = Start(new HisiZipModelOptions { Depth = 4 });
            var session = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress);
            byte[] input = TestData.Text(20_000, seed: round);
            Task<CompressionResult>[] requests = [.. Enumerable.Range(0, 40).Select(_ =>
                session.ProcessAsync(input, new byte[CompressionSession.GetMaxCompressedLength(input.Length)]).AsTask())];
            await Task.WhenAny(requests);
            session.Dispose();
            runtime.Dispose();
            foreach (Task<CompressionResult> request in requests)
            {
                try
                {
                    CompressionResult r = await request;
                    Assert.Equal(CompletionStatus.Ok, r.Status);
                }
                catch (Exception e) when (e is WdException or ObjectDisposedException or OperationCanceledException)
                {
                    // Not run: the runtime went away first. What matters is that the process is still here.
                }
            }

            foreach (IDisposable owned in _owned)
            {
                owned.Dispose();
            }

            _owned.Clear();
        }
    }

    [RootFact]
    public void AutoModeLeavesOutADeviceWhoseNodeThisUserMayNotOpen()
    {
        (HisiZipModel model, _) = Start();
        string node = Path.Combine(DeviceDirectory, model.Name);
        File.SetUnixFileMode(node, UnixFileMode.UserRead | UnixFileMode.UserWrite); // root's, 0600: the kernel's default
        foreach (string directory in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories).Append(_root))
        {
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        }

        var env = new Dictionary<string, string>
        {
            ["WD_UACCE_CLASS_DIR"] = ClassDirectory, ["WD_UACCE_DEV_DIR"] = DeviceDirectory, ["WD_STATS"] = "0",
            ["HOME"] = "/tmp", ["DOTNET_CLI_HOME"] = "/tmp",
        };
        string wd = $"setpriv --reuid=65534 --regid=65534 --clear-groups dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}'";
        (int code, string stdout, string stderr) = CliRunner.Run(wd, "list --json", env: env);
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain(model.Name, stdout);
        Assert.Contains("in-process", stdout);

        (code, stdout, _) = CliRunner.Run("dotnet", $"'{Path.Combine(AppContext.BaseDirectory, "wd.dll")}' list --json", env: env);
        Assert.Equal(0, code);
        Assert.Contains(model.Name, stdout); // root may open it
    }

    private string WriteTemp(byte[] data)
    {
        string path = Path.Combine(_root, $"{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void ADataListLongerThanOneHardwareSglIsReadThroughTheChain()
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Text(700 * 97, seed: 11);
        byte[][] parts = [.. input.Chunk(97)]; // 700 segments: three chained SGLs of 255
        ReadOnlySequence<byte> sequence = TestSequences.Of(parts);
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Zlib, CompressionDirection.Compress);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
        CompressionResult r = compress.Process(sequence, output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(input.Length, r.Consumed);
        byte[] zlib = output[..r.Produced];
        Assert.Equal(input, RuntimeCodecs.Decompress(CompressionAlgorithm.Zlib, zlib));

        // Decompression of a data list: the header (2 bytes) is split over the first two segments and skipped in the SGL.
        using CompressionSession decompress = Session(runtime, CompressionAlgorithm.Zlib, CompressionDirection.Decompress);
        byte[][] zparts = [zlib[..1], .. zlib[1..].Chunk(301)];
        byte[] plain = new byte[input.Length];
        r = decompress.Process(TestSequences.Of(zparts), plain);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(zlib.Length, r.Consumed);
        Assert.Equal(input, plain[..r.Produced]);
    }

    [Fact]
    public void OutputTooSmallIsOutOfSpaceAndABiggerBufferThenWorks()
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Random(20_000);
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress);
        CompressionResult small = compress.Process(input, new byte[1000]);
        Assert.Equal(CompletionStatus.OutOfSpace, small.Status);
        byte[] gz = Compress(compress, input); // random data: larger than its input (negative compression), still valid
        Assert.True(gz.Length > input.Length);
        Assert.Equal(input, RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, gz));

        using CompressionSession decompress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Decompress);
        CompressionResult full = decompress.Process(gz, new byte[input.Length - 1]);
        Assert.Equal((CompletionStatus.OutOfSpace, 0, 0), (full.Status, full.Consumed, full.Produced)); // block mode: all or nothing
        byte[] output = new byte[input.Length];
        CompressionResult r = decompress.Process(gz, output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(input, output);
    }

    [Fact]
    public void CorruptInputIsADataErrorOfTheRightKindAndTheQueueGoesOn()
    {
        (_, WdRuntime runtime) = Start();
        byte[] input = TestData.Text(50_000, seed: 5);
        byte[] gz = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, input);
        using CompressionSession decompress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Decompress);
        byte[] output = new byte[input.Length + 100];

        byte[] badCrc = (byte[])gz.Clone();
        badCrc[^8] ^= 0xFF;
        CompressionResult r = decompress.Process(badCrc, output);
        Assert.Equal((CompletionStatus.DataError, DataErrorKind.ChecksumMismatch), (r.Status, r.DataError));

        byte[] badHeader = (byte[])gz.Clone();
        badHeader[0] = 0x1e;
        r = decompress.Process(badHeader, output);
        Assert.Equal((CompletionStatus.DataError, DataErrorKind.InvalidHeader), (r.Status, r.DataError));

        r = decompress.Process(gz.AsSpan(0, gz.Length / 2), output);
        Assert.Equal((CompletionStatus.DataError, DataErrorKind.Truncated), (r.Status, r.DataError));

        byte[] garbage = [.. gz[..10], .. Enumerable.Repeat((byte)0xFF, 200)]; // block type 3 (reserved)
        r = decompress.Process(garbage, output);
        Assert.Equal((CompletionStatus.DataError, DataErrorKind.InvalidData), (r.Status, r.DataError));

        r = decompress.Process(gz, output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(input, output[..r.Produced]);
    }

    [Fact]
    public void ThePhaseBitWrapsAfterMoreRequestsThanTheQueueDepth()
    {
        (_, WdRuntime runtime) = Start(new HisiZipModelOptions { Depth = 8 });
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Zlib, CompressionDirection.Compress);
        for (int i = 0; i < 60; i++)
        {
            byte[] input = TestData.Text(1000 + i, seed: i);
            Assert.Equal(input, RuntimeCodecs.Decompress(CompressionAlgorithm.Zlib, Compress(compress, input)));
        }

        int[] laps = [.. runtime.Scheduler(global::WarpDrive.Scheduling.AlgorithmLibrary.Comp).Contexts
            .Select(c => Assert.IsType<HisiZipDriver>(c.Queue.Driver))
            .Select(d => d.CompressQueue.Laps)];
        Assert.Equal(7, runtime.Scheduler(global::WarpDrive.Scheduling.AlgorithmLibrary.Comp).Contexts.Max(c => c.Queue.Depth));
        Assert.True(laps.Sum() >= 6, $"{string.Join(",", laps)} laps"); // 60 completions on queues of depth 8
    }

    [Fact]
    public async Task AsyncRequestsCompleteThroughThePollerOnAKernelQueue()
    {
        (_, WdRuntime runtime) = Start();
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress);
        byte[][] inputs = [.. Enumerable.Range(0, 40).Select(i => TestData.Text(10_000 + (i * 100), seed: i))];
        byte[][] outputs = [.. inputs.Select(i => new byte[CompressionSession.GetMaxCompressedLength(i.Length)])];
        CompressionResult[] results = await Task.WhenAll(inputs.Select((input, i) => compress.ProcessAsync(input, outputs[i]).AsTask()));
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(CompletionStatus.Ok, results[i].Status);
            Assert.Equal(inputs[i], RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, outputs[i].AsSpan(0, results[i].Produced)));
        }
    }

    [Fact]
    public void AQueueTheKernelStoppedRefusesRequestsWithTheReason()
    {
        (HisiZipModel model, WdRuntime runtime) = Start();
        using WdQueue queue = runtime.RequestQueue("gzip");
        Assert.Equal(QueueState.Started, queue.State);
        model.Stop(); // the status words go to 1, as on a reset
        Assert.Equal(QueueState.Disabled, queue.State);
        Assert.Equal(QueueDisableReason.KernelStopped, queue.DisableReason);
        WdException e = Assert.Throws<WdException>(() => queue.TrySend(new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip }));
        Assert.Contains("the kernel stopped it", e.Message);
    }

    [Fact]
    public void AContextTakesTwoHardwareQueuesAndAFullDeviceIsBusy()
    {
        (HisiZipModel model, WdRuntime runtime) = Start(new HisiZipModelOptions { QueueCount = 3 });
        Assert.Equal(3, model.AvailableInstances);
        using WdQueue first = runtime.RequestQueue("zlib");
        Assert.Equal(1, model.AvailableInstances); // one compresses, one decompresses
        Assert.Equal("1", File.ReadAllText(Path.Combine(ClassDirectory, "hisi_zip-0", "available_instances")).Trim());
        WdDeviceNotFoundException e = Assert.Throws<WdDeviceNotFoundException>(() => runtime.RequestQueue("zlib"));
        Assert.Contains("busy", e.Message);
        Assert.Equal(1, model.AvailableInstances); // the half-open pair was given back
        first.Dispose();
        Assert.Equal(3, model.AvailableInstances);
    }

    [Fact]
    public void WithoutSetQpInfoTheDriverUsesTheDefaultDepth()
    {
        (_, WdRuntime runtime) = Start(new HisiZipModelOptions { SupportsQpInfo = false, Depth = 1024 });
        using WdQueue queue = runtime.RequestQueue("gzip");
        Assert.Equal(1023, queue.Depth);
        using CompressionSession compress = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress);
        byte[] input = TestData.Text(10_000);
        Assert.Equal(input, RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, Compress(compress, input)));
    }

    [Fact]
    public void AKernelDeviceOutranksInProcessOnesAndAlgorithmsItLacksGoElsewhere()
    {
        (_, WdRuntime runtime) = Start(mode: WdDeviceMode.Auto);
        Assert.Contains(runtime.Devices, d => d.Location == "kernel" && d.Priority == 300);
        Assert.Contains(runtime.Devices, d => d.Location == "in-process");
        using (CompressionSession gzip = Session(runtime, CompressionAlgorithm.Gzip, CompressionDirection.Compress))
        {
            Assert.Equal("kernel", gzip.Device.Location);
        }

        // hisi_qm v2 offers zlib and gzip only: raw deflate runs on the in-process model.
        using CompressionSession deflate = Session(runtime, CompressionAlgorithm.Deflate, CompressionDirection.Compress);
        Assert.Equal("in-process", deflate.Device.Location);
    }

    [Fact]
    public void WdListShowsWhereEachDeviceComesFrom()
    {
        (HisiZipModel model, _) = Start();
        var env = new Dictionary<string, string> { ["WD_UACCE_CLASS_DIR"] = ClassDirectory, ["WD_UACCE_DEV_DIR"] = DeviceDirectory, ["WD_STATS"] = "0" };
        (int code, string stdout, string stderr) = CliRunner.Wd("list", env: env);
        Assert.True(code == 0, stderr);
        string kernelRow = stdout.Split('\n').Single(l => l.Contains(model.Name));
        Assert.Contains("kernel", kernelRow);
        Assert.Contains("hisi_qm_v2", kernelRow);
        Assert.Contains(stdout.Split('\n'), l => l.Contains("zip-0") && !l.Contains("hisi") && l.Contains("in-process"));

        env["WD_MODE"] = "kernel";
        (code, stdout, stderr) = CliRunner.Wd("list --json", env: env);
        Assert.True(code == 0, stderr);
        Assert.Contains("\"location\": \"kernel\"", stdout.Replace("\":\"", "\": \""));
        Assert.DoesNotContain("in-process", stdout);
    }

    public void Dispose()
    {
        foreach (IDisposable owned in _owned)
        {
            owned.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }
}
