using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Tests.BadData;

/// <summary>The fuzz smoke of CI: every file of the regression corpus (Corpus/{deflate,zlib,gzip}: hand-made seeds
/// and what AFL++ found, tests/fuzz/run.sh) through the decompressor of its format on each engine, in block mode, in
/// stream mode with the input split into small pieces and small output buffers, and through the Stream reader. Each
/// ends in success with the bytes System.IO.Compression decodes, or in a clean data error (DataError with a kind; the
/// reader's one-line InvalidDataException), never another exception; and the sessions work afterwards.</summary>
public sealed class CorpusTests
{
    private const int Cap = 1 << 20;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string engine in Engines.All())
        {
            foreach (string format in (string[])["deflate", "zlib", "gzip"])
            {
                data.Add(engine, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryCorpusFileDecodesLikeTheRuntimeOrFailsCleanly(string engine, string format)
    {
        CompressionAlgorithm algorithm = format switch
        {
            "deflate" => CompressionAlgorithm.Deflate,
            "zlib" => CompressionAlgorithm.Zlib,
            _ => CompressionAlgorithm.Gzip,
        };
        string[] files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", format));
        Assert.True(files.Length >= 10, $"the {format} corpus is missing from the test output");

        using WdRuntime runtime = Engines.Runtime(engine);
        using var block = new CompressionSession(new() { Algorithm = algorithm, Direction = CompressionDirection.Decompress }, runtime);
        using var stream = new CompressionSession(new()
        {
            Algorithm = algorithm,
            Direction = CompressionDirection.Decompress,
            Mode = SessionMode.Stream,
        }, runtime);
        using WdRuntime? zlibRuntime = engine == "isal" ? Engines.Runtime("zlib") : null;
        using CompressionSession? zlib = zlibRuntime is null ? null
            : new CompressionSession(new() { Algorithm = algorithm, Direction = CompressionDirection.Decompress }, zlibRuntime);
        using var compressor = new CompressionSession(new() { Algorithm = algorithm }, runtime);
        byte[] output = new byte[Cap];
        int ok = 0, errors = 0;
        foreach (string file in files)
        {
            byte[] data = File.ReadAllBytes(file);
            string name = $"{format}/{Path.GetFileName(file)} on {engine}";
            byte[]? expected = Reference(algorithm, data);

            CompressionResult r = block.Process(data, output);
            Assert.True(r.Consumed <= data.Length && r.Produced <= output.Length, $"{name}: {r}");
            byte[]? decoded = Outcome(name, r, output);
            if (decoded is not null)
            {
                // ISA-L decodes some deflate bodies zlib calls invalid (incomplete Huffman code sets): allowed only there,
                // so the zlib engine must call it invalid data, not a header, trailer or checksum fault.
                Assert.True(expected is not null ? expected.AsSpan().SequenceEqual(decoded) : engine == "isal" && ZlibSays(zlib!, data) == DataErrorKind.InvalidData,
                    $"{name}: WarpDrive decodes {decoded.Length} bytes, the runtime does not agree");
                ok++;
            }
            else
            {
                errors++;
            }

            foreach ((int piece, int chunk) in ((int, int)[])[(1, 61), (7, 1000), (data.Length + 1, Cap)])
            {
                byte[]? streamed = Streamed(name, stream, data, piece, chunk);
                Assert.True(decoded is null ? streamed is null : streamed is not null && decoded.AsSpan().SequenceEqual(streamed),
                    $"{name}: stream mode (pieces of {piece}, output {chunk}) disagrees with block mode");
            }

            if (data.Length > 0)
            {
                byte[]? read = Read(name, algorithm, data, runtime);
                Assert.True(decoded is null ? read is null : read is not null && decoded.AsSpan().SequenceEqual(read),
                    $"{name}: the Stream reader disagrees with block mode");
            }

            RoundTripStillWorks(name, block, stream, compressor);
        }

        Assert.True(ok > 0 && errors > 0, $"{format}: {ok} decoded, {errors} data errors: the corpus should hold both");
    }

    /// <summary>The decoded bytes, or null for a clean data error; anything else fails the test.</summary>
    private static byte[]? Outcome(string name, in CompressionResult r, byte[] output)
    {
        switch (r.Status)
        {
            case CompletionStatus.Ok:
                Assert.True(r.EndOfStream, $"{name}: Ok without the end of the stream: {r}");
                return output.AsSpan(0, r.Produced).ToArray();
            case CompletionStatus.DataError:
                Assert.NotEqual(DataErrorKind.None, r.DataError);
                Assert.DoesNotContain('\n', r.DescribeError());
                return null;
            default:
                Assert.Fail($"{name}: {r.Status} is neither success nor a data error ({r})");
                return null;
        }
    }

    private static byte[]? Streamed(string name, CompressionSession session, byte[] data, int piece, int chunk)
    {
        using var decoded = new MemoryStream();
        byte[] output = new byte[chunk];
        int position = 0;
        while (true)
        {
            int end = Math.Min(data.Length, position + piece);
            bool last = end == data.Length;
            CompressionResult r = session.Process(data.AsSpan(position, end - position), output, last);
            Assert.True(r.Consumed <= end - position && r.Produced <= chunk, $"{name}, stream mode: {r}");
            position += r.Consumed;
            decoded.Write(output, 0, r.Produced);
            Assert.True(decoded.Length <= Cap, $"{name}: the corpus holds no input this large");
            switch (r.Status)
            {
                case CompletionStatus.DataError:
                    Assert.NotEqual(DataErrorKind.None, r.DataError);
                    return null;
                case CompletionStatus.OutOfSpace:
                    Assert.Equal(chunk, r.Produced);
                    break;
                case CompletionStatus.Ok when r.EndOfStream && (last || session.Options.Algorithm != CompressionAlgorithm.Gzip):
                    session.Reset();
                    return decoded.ToArray();
                case CompletionStatus.Ok:
                    Assert.True(!last && position == end, $"{name}, stream mode: Ok with input left or no end: {r}");
                    break;
                default:
                    Assert.Fail($"{name}, stream mode: {r.Status} ({r})");
                    break;
            }
        }
    }

    private static byte[]? Read(string name, CompressionAlgorithm algorithm, byte[] data, WdRuntime runtime)
    {
        using var source = new MemoryStream(data);
        using WdCompressionStream z = algorithm switch
        {
            CompressionAlgorithm.Deflate => new WdDeflateStream(source, CompressionMode.Decompress, 6, false, runtime),
            CompressionAlgorithm.Zlib => new WdZLibStream(source, CompressionMode.Decompress, 6, false, runtime),
            _ => new WdGZipStream(source, CompressionMode.Decompress, 6, false, runtime),
        };
        using var decoded = new MemoryStream();
        try
        {
            z.CopyTo(decoded, 333);
            return decoded.ToArray();
        }
        catch (InvalidDataException e)
        {
            Assert.False(string.IsNullOrEmpty(e.Message) || e.Message.Contains('\n', StringComparison.Ordinal), $"{name}: '{e.Message}'");
            return null;
        }
    }

    /// <summary>What the runtime's decoder makes of <paramref name="data"/>, null when it refuses it.</summary>
    private static byte[]? Reference(CompressionAlgorithm algorithm, byte[] data)
    {
        using var source = new MemoryStream(data);
        using Stream z = algorithm switch
        {
            CompressionAlgorithm.Deflate => new DeflateStream(source, CompressionMode.Decompress),
            CompressionAlgorithm.Zlib => new ZLibStream(source, CompressionMode.Decompress),
            _ => new GZipStream(source, CompressionMode.Decompress),
        };
        using var decoded = new MemoryStream();
        try
        {
            z.CopyTo(decoded);
            return decoded.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }
    }

    private static DataErrorKind ZlibSays(CompressionSession zlib, byte[] data) =>
        zlib.Process(data, new byte[Cap]).DataError;

    private static void RoundTripStillWorks(string name, CompressionSession block, CompressionSession stream, CompressionSession compressor)
    {
        byte[] text = "the session still works after bad data"u8.ToArray();
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        CompressionResult c = compressor.Process(text, packed);
        byte[] unpacked = new byte[text.Length];
        foreach (CompressionSession session in (CompressionSession[])[block, stream])
        {
            CompressionResult d = session.Process(packed.AsSpan(0, c.Produced), unpacked);
            Assert.True(d.IsOk && d.EndOfStream && unpacked.AsSpan(0, d.Produced).SequenceEqual(text), $"after {name}: {d}");
        }
    }
}
