using System.Buffers;
using WarpDrive.Abi;
using WarpDrive.Cli.Bench;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Diagnostics;
using WarpDrive.Scheduling;
using WarpDrive.Tests.Broker;

namespace WarpDrive.Tests.Metrics;

/// <summary>The <c>WarpDrive</c> meter as a <see cref="System.Diagnostics.Metrics.MeterListener"/> hears it: real requests
/// on the embedded devices (and one broker) move each instrument by what they did, with the right tags.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(MetricsCollection.Name)]
public sealed class MeterTests
{
    private static (string, string) ZipInProcess => (WdMetrics.DeviceTag, "zip-0");
    private static (string, string) InProcess => (WdMetrics.LocationTag, "in-process");
    private static (string, string) Gzip => (WdMetrics.AlgorithmTag, "gzip");
    private static (string, string) Compress => (WdMetrics.OperationTag, "compress");
    private static (string, string) Decompress => (WdMetrics.OperationTag, "decompress");

    private static WdRuntime LocalRuntime() => new(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Local });

    [Fact]
    public void GzipRoundTripCountsRequestsBytesAndDurations()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        byte[] text = TestData.Text(100_000);
        byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        byte[] back = new byte[text.Length];
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        using var d = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Direction = CompressionDirection.Decompress }, runtime);

        CompressionResult rc = c.Process(text, compressed);
        CompressionResult rd = d.Process(compressed.AsSpan(0, rc.Produced), back);

        Assert.Equal(CompletionStatus.Ok, rc.Status);
        Assert.Equal(CompletionStatus.Ok, rd.Status);
        Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, ZipInProcess, InProcess, Gzip, Compress));
        Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, ZipInProcess, InProcess, Gzip, Decompress));
        Assert.Equal(text.Length, meter.Sum(WdMetrics.BytesInName, ZipInProcess, InProcess, Gzip, Compress));
        Assert.Equal(rc.Produced, meter.Sum(WdMetrics.BytesOutName, ZipInProcess, InProcess, Gzip, Compress));
        Assert.Equal(rc.Produced, meter.Sum(WdMetrics.BytesInName, ZipInProcess, InProcess, Gzip, Decompress));
        Assert.Equal(text.Length, meter.Sum(WdMetrics.BytesOutName, ZipInProcess, InProcess, Gzip, Decompress));
        Assert.Empty(meter.Of(WdMetrics.ErrorsName));

        // One duration per request, in seconds: more than nothing, less than the test took.
        foreach ((string, string) operation in new[] { Compress, Decompress })
        {
            var duration = Assert.Single(meter.Of(WdMetrics.DurationName, ZipInProcess, InProcess, Gzip, operation));
            Assert.InRange(duration.Value, 1e-9, 60);
        }

        Assert.Equal(text, back);
    }

    [Fact]
    public async Task AsyncRequestsAreCountedBeforeTheirCallerSeesThem()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        byte[] text = TestData.Text(30_000, seed: 5);
        byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime);

        long produced = 0;
        for (int i = 0; i < 3; i++)
        {
            CompressionResult r = await c.ProcessAsync(text, compressed);
            Assert.Equal(CompletionStatus.Ok, r.Status);
            produced += r.Produced;
            Assert.Equal(i + 1, meter.Sum(WdMetrics.RequestsName, ZipInProcess, Gzip, Compress));
        }

        Assert.Equal(3 * text.Length, meter.Sum(WdMetrics.BytesInName, ZipInProcess, Gzip, Compress));
        Assert.Equal(produced, meter.Sum(WdMetrics.BytesOutName, ZipInProcess, Gzip, Compress));
        Assert.Equal(3, meter.Of(WdMetrics.DurationName, ZipInProcess, Gzip, Compress).Count);
    }

    [Fact]
    public void CorruptInputIsADataErrorTaggedWithItsKind()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        byte[] text = TestData.Text(20_000);
        byte[] gz = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, text);
        byte[] output = new byte[text.Length];
        using var d = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Direction = CompressionDirection.Decompress }, runtime);

        byte[] badMagic = (byte[])gz.Clone();
        badMagic[0] = 0x20;
        Assert.Equal(DataErrorKind.InvalidHeader, d.Process(badMagic, output).DataError);
        byte[] badCrc = (byte[])gz.Clone();
        badCrc[^6] ^= 1;
        Assert.Equal(DataErrorKind.ChecksumMismatch, d.Process(badCrc, output).DataError);

        Assert.Equal(2, meter.Sum(WdMetrics.RequestsName, ZipInProcess, Gzip, Decompress));
        var header = Assert.Single(meter.Of(WdMetrics.ErrorsName, ZipInProcess, InProcess, Gzip, Decompress,
            (WdMetrics.StatusTag, "DataError"), (WdMetrics.DataErrorTag, "InvalidHeader")));
        Assert.Equal(1, header.Value);
        Assert.Single(meter.Of(WdMetrics.ErrorsName, (WdMetrics.StatusTag, "DataError"), (WdMetrics.DataErrorTag, "ChecksumMismatch")));
        Assert.Equal(2, meter.Sum(WdMetrics.ErrorsName));
        Assert.Equal(0, meter.Sum(WdMetrics.BytesInName)); // an error takes no input
    }

    [Fact]
    public void DigestsAreTaggedWithTheirDeviceAlgorithmAndMode()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        byte[] data = TestData.Random(5_000);
        byte[] hash = new byte[64];
        using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        using var hmac = new DigestSession(DigestAlgorithm.Sha512, new byte[32], DigestMode.Hmac, runtime: runtime);

        Assert.Equal(32, sha.ComputeHash(data, hash));
        Assert.Equal(64, hmac.ComputeHash(data.AsSpan(0, 1_000), hash));

        (string, string)[] sha256 = [(WdMetrics.DeviceTag, "sec-0"), InProcess, (WdMetrics.AlgorithmTag, "sha256"), (WdMetrics.OperationTag, "digest")];
        Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, sha256));
        Assert.Equal(5_000, meter.Sum(WdMetrics.BytesInName, sha256));
        Assert.Equal(32, meter.Sum(WdMetrics.BytesOutName, sha256));
        (string, string)[] hmacSha512 = [(WdMetrics.DeviceTag, "sec-0"), (WdMetrics.AlgorithmTag, "hmac-sha512"), (WdMetrics.OperationTag, "digest")];
        Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, hmacSha512));
        Assert.Equal(1_000, meter.Sum(WdMetrics.BytesInName, hmacSha512));
        Assert.Equal(64, meter.Sum(WdMetrics.BytesOutName, hmacSha512));
        Assert.Empty(meter.Of(WdMetrics.ErrorsName));
    }

    [Fact]
    public void ADataListCountsTheBytesOfItsSegments()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        byte[] text = TestData.Text(40_000);
        ReadOnlySequence<byte> pieces = TestSequences.Split(text, 6);
        byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime);

        CompressionResult r = c.Process(pieces, compressed);

        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(text.Length, meter.Sum(WdMetrics.BytesInName, ZipInProcess, Gzip, Compress));
        Assert.Equal(r.Produced, meter.Sum(WdMetrics.BytesOutName, ZipInProcess, Gzip, Compress));
    }

    [Fact]
    public void InFlightCountsRequestsPublishedAndNotYetReaped()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        // No polling thread: completions wait in the ring until Poll reaps them, so the count is exact in between.
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions
        {
            Contexts = [new ContextSpec(Async: true, Operation: null, Count: 1, NumaNode: -1)],
            AsyncPolling = false,
        });
        byte[] text = TestData.Text(10_000);
        byte[][] outputs = [.. Enumerable.Range(0, 3).Select(_ => new byte[CompressionSession.GetMaxCompressedLength(text.Length)])];
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        int done = 0;
        foreach (byte[] output in outputs)
        {
            Assert.True(c.TrySubmit(text, output, (in CompressionResult r, object? _) =>
            {
                Assert.Equal(CompletionStatus.Ok, r.Status);
                Interlocked.Increment(ref done);
            }));
        }

        var pending = Assert.Single(meter.Observe(WdMetrics.InFlightName, ZipInProcess, InProcess));
        Assert.Equal(3, pending.Value);
        Assert.Equal(0, meter.Sum(WdMetrics.RequestsName, ZipInProcess, Gzip, Compress)); // none reaped yet

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Volatile.Read(ref done) < 3 && DateTime.UtcNow < deadline)
        {
            if (c.Poll() == 0)
            {
                Thread.Sleep(1);
            }
        }

        Assert.Equal(3, Volatile.Read(ref done));
        Assert.Equal(0, Assert.Single(meter.Observe(WdMetrics.InFlightName, ZipInProcess, InProcess)).Value);
        Assert.Equal(3, meter.Sum(WdMetrics.RequestsName, ZipInProcess, Gzip, Compress));
    }

    [Fact]
    public void InlineRequestsAreTaggedInline()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { InlineThreshold = int.MaxValue });
        byte[] text = TestData.Text(8_000);
        byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Deflate }, runtime);

        CompressionResult r = c.Process(text, compressed);

        Assert.Equal(CompletionStatus.Ok, r.Status);
        (string, string)[] inline = [(WdMetrics.DeviceTag, "zip-inline"), (WdMetrics.LocationTag, "inline"), (WdMetrics.AlgorithmTag, "deflate"), Compress];
        Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, inline));
        Assert.Equal(text.Length, meter.Sum(WdMetrics.BytesInName, inline));
        Assert.Equal(r.Produced, meter.Sum(WdMetrics.BytesOutName, inline));
    }

    [Fact]
    public async Task BrokerRequestsAreTaggedWithTheBrokerLocation()
    {
        using var meter = new MeterRecorder();
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig);
        using WdRuntime runtime = broker.CreateRuntime();
        byte[] text = TestData.Text(50_000);
        byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime);

        CompressionResult r = await c.ProcessAsync(text, compressed);

        Assert.Equal(CompletionStatus.Ok, r.Status);
        (string, string)[] tags = [(WdMetrics.DeviceTag, "zip-0"), (WdMetrics.LocationTag, "broker"), Gzip, Compress];
        Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, tags));
        Assert.Equal(text.Length, meter.Sum(WdMetrics.BytesInName, tags));
        Assert.Equal(r.Produced, meter.Sum(WdMetrics.BytesOutName, tags));
        Assert.Single(meter.Of(WdMetrics.DurationName, tags));
        Assert.Empty(meter.Of(WdMetrics.RequestsName, InProcess));
    }

    /// <summary>The acceptance: the counters move under <c>wd bench</c> (its own code, run in this process).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CountersMoveUnderWdBench(bool async)
    {
        using var meter = new MeterRecorder();
        var settings = new BenchSettings
        {
            Algorithm = BenchAlgorithm.ByName["deflate"],
            Mode = BenchMode.Local,
            Async = async,
            Depth = 8,
            PacketLength = 16 << 10,
            Seconds = 0.3,
        };
        using var input = new BenchInput(settings);

        BenchResult result = BenchRun.Run(settings, input, brokerRunDirectory: null, socketPath: null, CancellationToken.None);

        (string, string)[] tags = [ZipInProcess, InProcess, (WdMetrics.AlgorithmTag, "deflate"), Compress];
        double requests = meter.Sum(WdMetrics.RequestsName, tags);
        Assert.True(result.Requests > 0);
        Assert.InRange(requests, result.Requests, result.Requests * 10); // the bench's warm-up requests count too
        Assert.Equal(requests * settings.PacketLength, meter.Sum(WdMetrics.BytesInName, tags));
        Assert.InRange(meter.Sum(WdMetrics.BytesOutName, tags), result.OutputBytes, requests * settings.PacketLength);
        Assert.Equal(requests, meter.Of(WdMetrics.DurationName, tags).Count);
        Assert.Empty(meter.Of(WdMetrics.ErrorsName));
    }

    /// <summary>A completion that a sleeper finds after its sleep, with no wake-up announcing it, is counted on
    /// <c>warpdrive.late_reaps</c> with its device's tags. The "device" that loses the wake-up is this test, posting into
    /// the ring of a real in-process queue that has no request (its engine posts nothing there).</summary>
    [Fact]
    public void ACompletionNoWakeUpAnnouncedIsALateReap()
    {
        using var meter = new MeterRecorder();
        using WdRuntime runtime = LocalRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        Assert.True(queue.BeginWait(out WarpDrive.Platform.FutexWaiter waiter));
        var device = new Abi.CompletionProducer(queue.Region);
        device.Post(new Abi.Cqe { UserData = 7 });
        Volatile.Write(ref queue.Region.CqTail, device.Tail);
        WarpDrive.Platform.Futex.Wait((nint)waiter.Address, (uint)waiter.Value, TimeSpan.FromMilliseconds(5));
        Assert.Equal(1, queue.EndWait(in waiter));
        Assert.Equal(1, meter.Sum(WdMetrics.LateReapsName, ZipInProcess, InProcess));
        Assert.True(queue.TryReceive(out Abi.Cqe cqe));
        Assert.Equal(7UL, cqe.UserData);

        // A sleep that ends with nothing there counts nothing.
        Assert.True(queue.BeginWait(out waiter));
        WarpDrive.Platform.Futex.Wait((nint)waiter.Address, (uint)waiter.Value, TimeSpan.FromMilliseconds(5));
        Assert.Equal(0, queue.EndWait(in waiter));
        Assert.Equal(1, meter.Sum(WdMetrics.LateReapsName));
    }
}
