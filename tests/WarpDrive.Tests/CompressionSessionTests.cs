using System.Buffers;
using WarpDrive.Abi;
using WarpDrive.Compression;

namespace WarpDrive.Tests;

public class CompressionSessionTests
{
    public static TheoryData<string, CompressionAlgorithm, int> EngineAlgorithmLevel()
    {
        var data = new TheoryData<string, CompressionAlgorithm, int>();
        foreach (string engine in Engines.All())
        {
            foreach (CompressionAlgorithm a in Enum.GetValues<CompressionAlgorithm>())
            {
                foreach (int level in new[] { 0, 1, 6, 9 })
                {
                    data.Add(engine, a, level);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EngineAlgorithmLevel))]
    public void BlockModeInteroperatesWithTheRuntimeCodecs(string engine, CompressionAlgorithm algorithm, int level)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(300_000);
        byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Algorithm = algorithm, Level = level }, runtime);
        CompressionResult r = c.Process(text, compressed);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.True(r.EndOfStream);
        Assert.Equal(text.Length, r.Consumed);
        Assert.Equal(text, RuntimeCodecs.Decompress(algorithm, compressed.AsSpan(0, r.Produced)));
        if (level > 0)
        {
            Assert.True(r.Produced < text.Length / 2, $"text compressed to {r.Produced} of {text.Length}");
        }

        byte[] foreign = RuntimeCodecs.Compress(algorithm, text);
        byte[] back = new byte[text.Length];
        using var d = new CompressionSession(new() { Algorithm = algorithm, Direction = CompressionDirection.Decompress }, runtime);
        CompressionResult rd = d.Process(foreign, back);
        Assert.Equal(CompletionStatus.Ok, rd.Status);
        Assert.Equal(text.Length, rd.Produced);
        Assert.Equal(text, back);
        Assert.Equal(r.Checksum, rd.Checksum); // both the checksum of the same uncompressed bytes
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void ChecksumsMatchTheTrailers(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(100_000);
        byte[] buffer = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var gz = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        CompressionResult r = gz.Process(text, buffer);
        Assert.Equal(BitConverter.ToUInt32(buffer, r.Produced - 8), r.Checksum);
        using var zl = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Zlib }, runtime);
        r = zl.Process(text, buffer);
        uint adler = (uint)(buffer[r.Produced - 4] << 24 | buffer[r.Produced - 3] << 16 | buffer[r.Produced - 2] << 8 | buffer[r.Produced - 1]);
        Assert.Equal(adler, r.Checksum);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void StreamChecksumsRunOverEverythingSoFar(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(60_000, 8);
        foreach (CompressionAlgorithm algorithm in new[] { CompressionAlgorithm.Gzip, CompressionAlgorithm.Zlib })
        {
            using var c = new CompressionSession(new() { Algorithm = algorithm, Mode = SessionMode.Stream, Level = 1 }, runtime);
            using var d = new CompressionSession(new() { Algorithm = algorithm, Mode = SessionMode.Stream, Direction = CompressionDirection.Decompress }, runtime);
            byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
            byte[] restored = new byte[text.Length];
            int produced = 0, restoredLength = 0;
            for (int offset = 0; offset < text.Length; offset += 6_000)
            {
                bool last = offset + 6_000 >= text.Length;
                CompressionResult r = c.Process(text.AsSpan(offset, 6_000), compressed.AsSpan(produced), last);
                Assert.Equal(CompletionStatus.Ok, r.Status);
                // After each request: the checksum of all input so far, whatever the engine still buffers.
                Assert.Equal(Reference(algorithm, text.AsSpan(0, offset + 6_000)), r.Checksum);
                CompressionResult rd = d.Process(compressed.AsSpan(produced, r.Produced), restored.AsSpan(restoredLength), last);
                Assert.Equal(CompletionStatus.Ok, rd.Status);
                produced += r.Produced;
                restoredLength += rd.Produced;
                Assert.Equal(Reference(algorithm, restored.AsSpan(0, restoredLength)), rd.Checksum);
            }

            Assert.Equal(text, restored);
        }
    }

    /// <summary>The checksum the trailer of a one-shot .NET stream over <paramref name="data"/> carries.</summary>
    private static uint Reference(CompressionAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return algorithm == CompressionAlgorithm.Gzip ? 0u : 1u; // .NET writes no stream for no data
        }

        byte[] z = RuntimeCodecs.Compress(algorithm, data.ToArray());
        return algorithm == CompressionAlgorithm.Gzip
            ? BitConverter.ToUInt32(z, z.Length - 8)
            : (uint)(z[^4] << 24 | z[^3] << 16 | z[^2] << 8 | z[^1]);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void IncompressibleDataFitsTheBound(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        foreach (int level in new[] { 0, 1, 2, 6, 9 })
        {
            foreach (int n in new[] { 0, 1, 1000, 5000, 65536, 1 << 20 })
            {
                byte[] data = TestData.Random(n);
                byte[] buffer = new byte[CompressionSession.GetMaxCompressedLength(n)];
                using var s = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Level = level }, runtime);
                CompressionResult r = s.Process(data, buffer);
                Assert.True(r.Status == CompletionStatus.Ok, $"level {level}, {n} bytes: {r.Status}");
                Assert.Equal(data, RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, buffer.AsSpan(0, r.Produced)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(EngineAlgorithmLevel))]
    public void StreamModeResumesAfterOutOfSpaceWithTinyBuffers(string engine, CompressionAlgorithm algorithm, int level)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(200_000, seed: level + 10);
        var compressed = new MemoryStream();
        byte[] window = new byte[97]; // far smaller than the data
        int outOfSpace = 0;
        using (var c = new CompressionSession(new() { Algorithm = algorithm, Level = level, Mode = SessionMode.Stream }, runtime))
        {
            for (int offset = 0; offset < text.Length;)
            {
                int chunk = Math.Min(7_919, text.Length - offset);
                bool last = offset + chunk == text.Length;
                ReadOnlySpan<byte> input = text.AsSpan(offset, chunk);
                while (true)
                {
                    CompressionResult r = c.Process(input, window, last);
                    Assert.True(r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, r.Status.ToString());
                    compressed.Write(window, 0, r.Produced);
                    input = input[r.Consumed..];
                    if (r.Status == CompletionStatus.OutOfSpace)
                    {
                        outOfSpace++;
                        continue;
                    }

                    Assert.True(input.IsEmpty);
                    Assert.Equal(last, r.EndOfStream);
                    break;
                }

                offset += chunk;
            }
        }

        Assert.True(outOfSpace > 10, $"only {outOfSpace} resumptions");
        byte[] stream = compressed.ToArray();
        Assert.Equal(text, RuntimeCodecs.Decompress(algorithm, stream));

        // And back, feeding 333-byte pieces into 101-byte windows.
        var restored = new MemoryStream();
        using var d = new CompressionSession(new() { Algorithm = algorithm, Direction = CompressionDirection.Decompress, Mode = SessionMode.Stream }, runtime);
        byte[] outWindow = new byte[101];
        bool ended = false;
        for (int offset = 0; offset < stream.Length && !ended;)
        {
            int chunk = Math.Min(333, stream.Length - offset);
            bool last = offset + chunk == stream.Length;
            ReadOnlySpan<byte> input = stream.AsSpan(offset, chunk);
            while (true)
            {
                CompressionResult r = d.Process(input, outWindow, last);
                Assert.True(r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, $"{r.Status} {r.DataError}");
                restored.Write(outWindow, 0, r.Produced);
                input = input[r.Consumed..];
                if (r.Status == CompletionStatus.Ok)
                {
                    ended = r.EndOfStream;
                    break;
                }
            }

            offset += chunk;
        }

        Assert.True(ended);
        Assert.Equal(text, restored.ToArray());
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void DataListInputIsReadSegmentBySegment(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(500_000);
        // 37 segments of uneven sizes, each its own array: a real scatter-gather list.
        var segments = new List<byte[]>();
        for (int offset = 0, i = 0; offset < text.Length; i++)
        {
            int size = Math.Min(1 + (i * 7919 % 27_000), text.Length - offset);
            segments.Add(text[offset..(offset + size)]);
            offset += size;
        }

        ReadOnlySequence<byte> sequence = TestSequences.Of(segments);
        Assert.False(sequence.IsSingleSegment);
        foreach (CompressionAlgorithm algorithm in Enum.GetValues<CompressionAlgorithm>())
        {
            byte[] buffer = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
            using var c = new CompressionSession(new() { Algorithm = algorithm, Level = 1 }, runtime);
            CompressionResult r = c.Process(sequence, buffer);
            Assert.Equal(CompletionStatus.Ok, r.Status);
            Assert.Equal(text.Length, r.Consumed);
            Assert.Equal(text, RuntimeCodecs.Decompress(algorithm, buffer.AsSpan(0, r.Produced)));
        }

        // Decompression from a data list too: the compressed bytes cut into pieces.
        byte[] gz = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, text);
        var pieces = new List<byte[]>();
        for (int offset = 0; offset < gz.Length; offset += 1000)
        {
            pieces.Add(gz[offset..Math.Min(gz.Length, offset + 1000)]);
        }

        byte[] back = new byte[text.Length];
        using var d = new CompressionSession(new() { Direction = CompressionDirection.Decompress }, runtime);
        CompressionResult rd = d.Process(TestSequences.Of(pieces), back);
        Assert.Equal(CompletionStatus.Ok, rd.Status);
        Assert.Equal(text, back);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void MultiMemberGzipDecompressesWhole(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] a = TestData.Text(70_000, 3), b = TestData.Random(5_000), c = TestData.Text(10, 4);
        byte[] joined = [.. RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, a), .. RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, b), .. RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, c)];
        byte[] output = new byte[a.Length + b.Length + c.Length];
        using var d = new CompressionSession(new() { Direction = CompressionDirection.Decompress }, runtime);
        CompressionResult r = d.Process(joined, output);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(output.Length, r.Produced);
        Assert.Equal([.. a, .. b, .. c], output);
        // The checksum runs over all members: the CRC-32 of the whole output, as in a one-member gzip of it.
        byte[] whole = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, output);
        Assert.Equal(BitConverter.ToUInt32(whole, whole.Length - 8), r.Checksum);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void BadDataIsReportedWithItsKind(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(50_000);
        byte[] gz = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, text);
        byte[] output = new byte[text.Length];
        using var d = new CompressionSession(new() { Direction = CompressionDirection.Decompress }, runtime);

        Assert.Equal(DataErrorKind.Truncated, d.Process(gz.AsSpan(0, gz.Length - 5), output).DataError);
        byte[] badMagic = (byte[])gz.Clone();
        badMagic[0] = 0x20;
        Assert.Equal(DataErrorKind.InvalidHeader, d.Process(badMagic, output).DataError);
        byte[] badCrc = (byte[])gz.Clone();
        badCrc[^6] ^= 1;
        Assert.Equal(DataErrorKind.ChecksumMismatch, d.Process(badCrc, output).DataError);
        Assert.Equal(DataErrorKind.TrailingGarbage, d.Process([.. gz, .. "junk"u8.ToArray()], output).DataError);
        Assert.Equal(CompletionStatus.OutOfSpace, d.Process(gz, output.AsSpan(0, 100)).Status);
        Assert.Equal(CompletionStatus.Ok, d.Process(gz, output).Status); // still fine afterwards
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task AsyncRequestsCompleteConcurrently(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[][] inputs = Enumerable.Range(0, 200).Select(i => TestData.Text(1000 + (i * 531), i)).ToArray();
        byte[][] outputs = inputs.Select(i => new byte[CompressionSession.GetMaxCompressedLength(i.Length)]).ToArray();
        using var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Zlib, Level = 1 }, runtime);
        Task<CompressionResult>[] tasks = inputs.Select((input, i) => c.ProcessAsync(input, outputs[i]).AsTask()).ToArray();
        CompressionResult[] results = await Task.WhenAll(tasks);
        for (int i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(CompletionStatus.Ok, results[i].Status);
            Assert.Equal(inputs[i], RuntimeCodecs.Decompress(CompressionAlgorithm.Zlib, outputs[i].AsSpan(0, results[i].Produced)));
        }
    }

    [Fact]
    public async Task ManualPollingCompletesAsyncRequests()
    {
        using WdRuntime runtime = Engines.Runtime("zlib", backgroundPolling: false);
        byte[] text = TestData.Text(10_000);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Level = 1 }, runtime);
        ValueTask<CompressionResult> pending = c.ProcessAsync(text, output);
        int polled = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!pending.IsCompleted && DateTime.UtcNow < deadline)
        {
            polled += c.Poll();
        }

        Assert.Equal(1, polled);
        Assert.True(pending.IsCompleted);
        Assert.Equal(CompletionStatus.Ok, (await pending).Status);
    }

    [Fact]
    public async Task StreamSessionRefusesConcurrentUse()
    {
        using WdRuntime runtime = Engines.Runtime("zlib", backgroundPolling: false);
        using var c = new CompressionSession(new() { Mode = SessionMode.Stream }, runtime);
        byte[] output = new byte[1000];
        ValueTask<CompressionResult> pending = c.ProcessAsync(new byte[10], output, last: false);
        Assert.Throws<InvalidOperationException>(() => c.Process(new byte[10], output, last: false));
        while (!pending.IsCompleted)
        {
            c.Poll();
        }

        Assert.Equal(CompletionStatus.Ok, (await pending).Status);
    }

    [Fact]
    public void OptionsAreValidated()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSession(new() { Level = 10 }, runtime));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSession(new() { WindowBits = 8 }, runtime));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSession(new() { Algorithm = (CompressionAlgorithm)7 }, runtime));
    }
}
