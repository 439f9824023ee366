using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Fuzz;

/// <summary>One fuzz case: the input through the ZIP device in block mode, in stream mode (split into pieces, small
/// output buffers) and through the Stream reader, on ISA-L or zlib, checked against each other and against
/// System.IO.Compression. A failed check throws <see cref="FuzzCheckException"/>, which AFL++ records as a crash; so
/// does any exception other than a data error (a <see cref="CompletionStatus.DataError"/> result, or the streams'
/// <see cref="InvalidDataException"/>).</summary>
internal sealed class DecompressionTarget : IFuzzTarget
{
    /// <summary>Most output one case may produce: beyond it the paths only have to agree that it is too much.</summary>
    private const int Cap = 1 << 20;

    private readonly CompressionAlgorithm _algorithm;
    private readonly Engine _isal;
    private readonly Engine _zlib;
    private readonly byte[] _block = new byte[Cap];
    private readonly byte[] _stream = new byte[Cap + FuzzInput.MaxOutputChunk];

    public DecompressionTarget(CompressionAlgorithm algorithm)
    {
        _algorithm = algorithm;
        _isal = new Engine("isal", algorithm);
        _zlib = new Engine("zlib", algorithm);
    }

    /// <summary>Runs one input; returns the block-mode outcome of the chosen engine (for --replay).</summary>
    public Outcome Run(ReadOnlySpan<byte> raw)
    {
        var input = new FuzzInput(raw);
        Engine engine = input.Alternate ? _zlib : _isal;
        byte[] data = input.Data.ToArray();

        Outcome isal = Block(_isal.Block, data);
        Outcome zlib = Block(_zlib.Block, data);
        Outcome block = input.Alternate ? zlib : isal;
        Outcome stream = Stream(engine.Stream, data, input.PieceLength, input.OutputChunk);
        Outcome reader = Reader(engine.Runtime, data);
        Outcome reference = ReferenceDecoder.Run(_algorithm, data, Cap);

        Agree("stream mode", block, stream);
        if (data.Length > 0)
        {
            Agree("the Stream reader", block, reader); // an empty input reads as no data, as GZipStream's does
        }

        // The engines agree, except that ISA-L decodes some deflate bodies zlib calls invalid (incomplete Huffman code
        // sets): the device's own work (headers, trailers, checksums, members, status) is the same on both.
        if (!isal.OverCap && !zlib.OverCap && zlib.Error != nameof(DataErrorKind.InvalidData))
        {
            Agree("ISA-L", zlib, isal);
        }

        if (zlib.Ok)
        {
            // Whatever WarpDrive accepts, the runtime's zlib must decode to the same bytes.
            Check(reference.Ok && reference.Bytes.AsSpan().SequenceEqual(zlib.Bytes), $"System.IO.Compression says {reference}, WarpDrive {zlib}");
        }
        else if (reference.Ok && data.Length > 0 && zlib.Error is not (nameof(DataErrorKind.Truncated) or nameof(DataErrorKind.TrailingGarbage)))
        {
            // System.IO.Compression reads truncated data and (gzip) some trailing bytes without complaint; anything
            // else it decodes completely WarpDrive must decode too.
            throw new FuzzCheckException($"System.IO.Compression decodes {reference.Bytes.Length} bytes, WarpDrive says {zlib}");
        }

        if (isal.Ok && zlib.Ok)
        {
            Check(isal.Bytes.AsSpan().SequenceEqual(zlib.Bytes), "ISA-L and zlib decode different bytes");
        }

        return block;
    }

    private Outcome Block(CompressionSession session, byte[] data)
    {
        CompressionResult r = session.Process(data, _block);
        switch (r.Status)
        {
            case CompletionStatus.Ok:
                Check(r.EndOfStream && r.Produced <= Cap && r.Consumed <= data.Length, $"block mode: {r}");
                return Outcome.Success(_block.AsSpan(0, r.Produced));
            case CompletionStatus.OutOfSpace:
                Check(r.Produced == 0 && r.Consumed == 0, $"block mode, out of space: {r}");
                return Outcome.TooLarge();
            case CompletionStatus.DataError:
                Check(r.DataError != DataErrorKind.None, $"block mode: a data error without a kind: {r}");
                return Outcome.Failure(r.DataError.ToString());
            default:
                throw new FuzzCheckException($"block mode: unexpected status {r}");
        }
    }

    private Outcome Stream(CompressionSession session, byte[] data, int pieceLength, int outputChunk)
    {
        int total = 0;
        int position = 0;
        while (true)
        {
            int end = Math.Min(data.Length, position + pieceLength);
            bool last = end == data.Length;
            CompressionResult r = session.Process(data.AsSpan(position, end - position), _stream.AsSpan(total, outputChunk), last);
            Check(r.Consumed <= end - position && r.Produced <= outputChunk, $"stream mode: more than it was given: {r}");
            position += r.Consumed;
            total += r.Produced;
            switch (r.Status)
            {
                case CompletionStatus.DataError:
                    Check(r.DataError != DataErrorKind.None, $"stream mode: a data error without a kind: {r}");
                    return Outcome.Failure(r.DataError.ToString());
                case CompletionStatus.OutOfSpace:
                    Check(r.Produced == outputChunk, $"stream mode: out of space with room left: {r}");
                    break;
                case CompletionStatus.Ok:
                    if (r.EndOfStream && (last || _algorithm != CompressionAlgorithm.Gzip))
                    {
                        session.Reset(); // trailing bytes (deflate, zlib) end the stream here, as block mode does
                        return Outcome.Success(_stream.AsSpan(0, total));
                    }

                    Check(last ? r.EndOfStream : position == end, $"stream mode: Ok but input left: {r}, {position}/{end}");
                    break;
                default:
                    throw new FuzzCheckException($"stream mode: unexpected status {r}");
            }

            if (total > Cap)
            {
                session.Reset();
                return Outcome.TooLarge();
            }
        }
    }

    private Outcome Reader(WdRuntime runtime, byte[] data)
    {
        using var source = new MemoryStream(data, writable: false);
        using WdCompressionStream z = _algorithm switch
        {
            CompressionAlgorithm.Deflate => new WdDeflateStream(source, CompressionMode.Decompress, 6, leaveOpen: false, runtime),
            CompressionAlgorithm.Zlib => new WdZLibStream(source, CompressionMode.Decompress, 6, leaveOpen: false, runtime),
            _ => new WdGZipStream(source, CompressionMode.Decompress, 6, leaveOpen: false, runtime),
        };
        byte[] output = _stream;
        int total = 0;
        try
        {
            int n;
            while (total <= Cap && (n = z.Read(output, total, Math.Min(4096, output.Length - total))) > 0)
            {
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            Check(!e.Message.Contains('\n', StringComparison.Ordinal) && e.Message.Length > 0, "a data error is one line");
            return Outcome.Failure(e.Message);
        }

        return total > Cap ? Outcome.TooLarge() : Outcome.Success(output.AsSpan(0, total));
    }

    private static void Agree(string path, Outcome block, Outcome other)
    {
        if (block.OverCap || other.OverCap)
        {
            Check(block.OverCap == other.OverCap || !block.Ok || !other.Ok, $"{path} says {other}, block mode {block}");
            return;
        }

        Check(block.Ok == other.Ok && block.Bytes.AsSpan().SequenceEqual(other.Bytes), $"{path} says {other}, block mode {block}");
    }

    private static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzCheckException(message);
        }
    }

    public void Dispose()
    {
        _isal.Dispose();
        _zlib.Dispose();
    }

    /// <summary>A runtime whose in-process ZIP device runs on one engine, served inline (the device's code runs in the
    /// fuzzing thread: deterministic coverage, no workers), with a block and a stream session.</summary>
    private sealed class Engine : IDisposable
    {
        public Engine(string name, CompressionAlgorithm algorithm)
        {
            Runtime = new WdRuntime(new WdRuntimeOptions
            {
                Mode = WdDeviceMode.Local,
                EmbeddedZipEngine = name,
                EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { Inline = true, QueueCount = 4 },
                BackgroundPolling = false,
            });
            Block = new CompressionSession(new CompressionSessionOptions { Algorithm = algorithm, Direction = CompressionDirection.Decompress }, Runtime);
            Stream = new CompressionSession(new CompressionSessionOptions
            {
                Algorithm = algorithm,
                Direction = CompressionDirection.Decompress,
                Mode = SessionMode.Stream,
            }, Runtime);
        }

        public WdRuntime Runtime { get; }

        public CompressionSession Block { get; }

        public CompressionSession Stream { get; }

        public void Dispose()
        {
            Block.Dispose();
            Stream.Dispose();
            Runtime.Dispose();
        }
    }
}
