using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Tests.Frames;

/// <summary>zstd and LZ4 in libwd: CompressionSession in block and stream mode (history across requests, resumable
/// OUT_OF_SPACE with tiny outputs, <c>last</c> ending the frame), the output limit against a decompression bomb, level
/// checks, and <see cref="WdZstdStream"/> / <see cref="WdLz4Stream"/> with small writes and flushes, checked against
/// ZstdSharp's own decoder where the format is zstd.</summary>
public sealed class FrameStreamTests
{
    public static TheoryData<CompressionAlgorithm> Formats() => [CompressionAlgorithm.Zstd, CompressionAlgorithm.Lz4];

    private static WdRuntime Runtime() => Engines.Runtime("zlib");

    private static CompressionSessionOptions Options(CompressionAlgorithm algorithm, CompressionDirection direction, SessionMode mode, int level = 1) =>
        new() { Algorithm = algorithm, Direction = direction, Mode = mode, Level = level };

    /// <summary>Runs a stream-mode session over <paramref name="input"/> in pieces of <paramref name="piece"/> bytes into
    /// outputs of <paramref name="room"/> bytes, resuming after every OUT_OF_SPACE, until the end of the stream.</summary>
    private static byte[] StreamThrough(CompressionSession session, byte[] input, int piece, int room)
    {
        var result = new MemoryStream();
        byte[] output = new byte[room];
        int position = 0;
        while (true)
        {
            int length = Math.Min(piece, input.Length - position);
            bool last = position + length == input.Length;
            CompressionResult r = session.Process(input.AsSpan(position, length), output, last);
            Assert.True(r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, r.ToString());
            result.Write(output, 0, r.Produced);
            position += r.Consumed;
            if (r.EndOfStream)
            {
                return result.ToArray();
            }
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task DataListInputCompressesAndDecompressesAsOneBuffer(CompressionAlgorithm algorithm)
    {
        // The device reads a data list's segments as one input (its frame may differ from the flat buffer's: the
        // engine meets the input in pieces, so zstd writes no content size): the reference tool reads it back, and a
        // frame split across segments decompresses whole (block and stream mode).
        using WdRuntime runtime = Runtime();
        byte[] text = TestData.Text(300_000, 41);
        using var listed = new CompressionSession(Options(algorithm, CompressionDirection.Compress, SessionMode.Block, 3), runtime);
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        CompressionResult rb = listed.Process(TestSequences.Split(text, 7), packed);
        Assert.True(rb.IsOk && rb.Consumed == text.Length && rb.Produced < text.Length / 2, rb.ToString());
        packed = packed[..rb.Produced];
        string tool = algorithm == CompressionAlgorithm.Zstd ? "zstd" : "lz4";
        Assert.Equal(text, await CliRunner.PipeAsync(tool, "-d -c", packed));

        byte[] output = new byte[text.Length];
        foreach (SessionMode mode in new[] { SessionMode.Block, SessionMode.Stream })
        {
            using var unpack = new CompressionSession(Options(algorithm, CompressionDirection.Decompress, mode), runtime);
            CompressionResult r = unpack.Process(TestSequences.Split(packed, 5), output);
            Assert.True(r.IsOk && r.Produced == text.Length && r.EndOfStream, $"{mode}: {r}");
            Assert.Equal(text, output);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void StreamModeCarriesHistoryAcrossRequestsAndResumesAfterOutOfSpace(CompressionAlgorithm algorithm)
    {
        using WdRuntime runtime = Runtime();
        byte[] text = TestData.Text(400_000, 21);
        using var compress = new CompressionSession(Options(algorithm, CompressionDirection.Compress, SessionMode.Stream, 3), runtime);
        byte[] packed = StreamThrough(compress, text, 10_000, 333);
        Assert.True(packed.Length < text.Length / 2, $"{packed.Length} of {text.Length}: no history across requests?");

        using var decompress = new CompressionSession(Options(algorithm, CompressionDirection.Decompress, SessionMode.Stream), runtime);
        Assert.Equal(text, StreamThrough(decompress, packed, 777, 1000));

        using var block = new CompressionSession(Options(algorithm, CompressionDirection.Decompress, SessionMode.Block), runtime);
        byte[] output = new byte[text.Length];
        CompressionResult whole = block.Process(packed, output);
        Assert.True(whole.IsOk && whole.Produced == text.Length, whole.ToString());
        if (algorithm == CompressionAlgorithm.Zstd)
        {
            using var reference = new ZstdSharp.Decompressor();
            Assert.Equal(text, reference.Unwrap(packed).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void ADecompressionBombStopsAtTheCallersLimit(CompressionAlgorithm algorithm)
    {
        const long limit = 16L << 20;
        using WdRuntime runtime = Runtime();
        byte[] bomb;
        using (var packed = new MemoryStream())
        {
            using (var z = new WdCompressionStreamFactory(algorithm).Compress(packed, runtime))
            {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 256; i++)
                {
                    z.Write(zeros);
                }
            }

            bomb = packed.ToArray();
        }

        Assert.True(bomb.Length < 2 << 20, $"{bomb.Length} bytes is no bomb");
        using var session = new CompressionSession(Options(algorithm, CompressionDirection.Decompress, SessionMode.Block) with { MaxOutputLength = limit }, runtime);
        byte[] output = new byte[(int)limit + (1 << 20)];
        output.AsSpan((int)limit).Fill(0xAA);
        CompressionResult r = session.Process(bomb, output);
        Assert.Equal(CompletionStatus.DataError, r.Status);
        Assert.Equal(DataErrorKind.OutputLimitExceeded, r.DataError);
        Assert.True(output.AsSpan((int)limit).IndexOfAnyExcept((byte)0xAA) < 0, "written past the limit");

        using var reader = new WdCompressionStreamFactory(algorithm).Decompress(new MemoryStream(bomb), runtime, limit);
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        Assert.Throws<WdOutputLimitExceededException>(() =>
        {
            int n;
            while ((n = reader.Read(buffer)) > 0)
            {
                total += n;
            }
        });
        Assert.Equal(limit, total);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void SmallWritesAndFlushesMakeFramesThatReadBack(CompressionAlgorithm algorithm)
    {
        using WdRuntime runtime = Runtime();
        byte[] text = TestData.Text(300_000, 22);
        var packed = new MemoryStream();
        var factory = new WdCompressionStreamFactory(algorithm);
        using (WdCompressionStream z = factory.Compress(packed, runtime))
        {
            for (int i = 0; i < text.Length; i += 100)
            {
                z.Write(text, i, Math.Min(100, text.Length - i));
                if (i % 50_000 == 0)
                {
                    z.Flush();
                }
            }
        }

        Assert.True(packed.Length < text.Length / 2, $"{packed.Length}: the writes were not coalesced into blocks");
        using WdCompressionStream reader = factory.Decompress(new MemoryStream(packed.ToArray()), runtime, null);
        var back = new MemoryStream();
        reader.CopyTo(back, 1000);
        Assert.Equal(text, back.ToArray());
    }

    [Fact]
    public void WdZstdStreamTakesTheConstructorsOfZstandardStream()
    {
        byte[] text = TestData.Text(100_000, 23);
        foreach (Func<Stream, WdZstdStream> open in new Func<Stream, WdZstdStream>[]
        {
            s => new WdZstdStream(s, CompressionMode.Compress, leaveOpen: true),
            s => new WdZstdStream(s, CompressionLevel.SmallestSize, leaveOpen: true),
            s => new WdZstdStream(s, new WdZstdCompressionOptions { Quality = -7 }, leaveOpen: true),
        })
        {
            var packed = new MemoryStream();
            using (WdZstdStream z = open(packed))
            {
                z.Write(text);
            }

            using var reference = new ZstdSharp.Decompressor();
            Assert.Equal(text, reference.Unwrap(packed.ToArray()).ToArray());
            packed.Position = 0;
            using var reader = new WdZstdStream(packed, CompressionMode.Decompress);
            var back = new MemoryStream();
            reader.CopyTo(back);
            Assert.Equal(text, back.ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => new WdZstdCompressionOptions { Quality = 23 });
    }

    [Fact]
    public void LevelsAreCheckedAgainstTheFormatsRange()
    {
        using WdRuntime runtime = Runtime();
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSession(Options(CompressionAlgorithm.Zstd, CompressionDirection.Compress, SessionMode.Block, 23), runtime));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSession(Options(CompressionAlgorithm.Lz4, CompressionDirection.Compress, SessionMode.Block, 13), runtime));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CompressionSession(Options(CompressionAlgorithm.Gzip, CompressionDirection.Compress, SessionMode.Block, -1), runtime));
        using var fast = new CompressionSession(Options(CompressionAlgorithm.Zstd, CompressionDirection.Compress, SessionMode.Block, -128), runtime);
        byte[] output = new byte[1000];
        Assert.True(fast.Process(new byte[500], output).IsOk);
        Assert.Equal(19, CompressionSessionOptions.ToLevel(CompressionLevel.SmallestSize, CompressionAlgorithm.Zstd));
        Assert.Equal(12, CompressionSessionOptions.ToLevel(CompressionLevel.SmallestSize, CompressionAlgorithm.Lz4));
        Assert.Equal(9, CompressionSessionOptions.ToLevel(CompressionLevel.SmallestSize, CompressionAlgorithm.Gzip));
    }

    /// <summary>The stream class of a format, compressing at level 1 or decompressing with an optional limit.</summary>
    private sealed class WdCompressionStreamFactory(CompressionAlgorithm algorithm)
    {
        public WdCompressionStream Compress(Stream stream, WdRuntime runtime) => Open(stream, CompressionMode.Compress, new() { Level = 1, LeaveOpen = true, Runtime = runtime });

        public WdCompressionStream Decompress(Stream stream, WdRuntime runtime, long? limit) =>
            Open(stream, CompressionMode.Decompress, new() { Runtime = runtime, MaxOutputLength = limit });

        private WdCompressionStream Open(Stream stream, CompressionMode mode, WdCompressionStreamOptions options) => algorithm == CompressionAlgorithm.Zstd
            ? new WdZstdStream(stream, mode, options)
            : new WdLz4Stream(stream, mode, options);
    }
}
