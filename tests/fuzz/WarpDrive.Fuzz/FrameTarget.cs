using System.IO.Hashing;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Devices;
using WarpDrive.Devices.Engines;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Fuzz;

/// <summary>One zstd or LZ4 fuzz case: the input through the ZIP device on the native libraries (libzstd, liblz4) and on
/// the managed ports (ZstdSharp, K4os), each in block mode and in stream mode (split into pieces, small output buffers),
/// checked against each other. The rules: the engines agree on the status and the bytes; stream mode agrees with block
/// mode; a request never consumes or produces more than it was given and never writes past its destination (guard
/// bytes); a DATA_ERROR carries a kind; an OK completion carries the XXH checksum of the bytes decoded so far; any other
/// status, or an OK stream that is not at its end after its last piece, is a failure. A failed check throws
/// <see cref="FuzzCheckException"/>, which AFL++ records as a crash; a looping engine is an AFL++ hang.
/// <para>The DATA_ERROR kind may differ between the engines and between block and stream mode (unless
/// <c>WD_FUZZ_STRICT_KINDS=1</c>): on corrupt data the kind says which check failed first, and that order is each
/// decoder's own. libzstd 1.5.4 and ZstdSharp (a port of a later release) check frame header fields in different
/// orders; libzstd decodes a whole frame in one pass when block mode hands it all at once, and checks block by block
/// when the frame arrives in pieces; a frame cut short is "truncated" to the decoder that waits for the rest of a block
/// and "invalid data" to one that has decoded what it holds; LZ4 likewise between liblz4 and the C# frame reader.</para></summary>
internal sealed unsafe class FrameTarget : IFuzzTarget
{
    /// <summary>Most output one case may produce: beyond it the paths only have to agree that it is too much.</summary>
    private const int Cap = 1 << 20;

    /// <summary>Bytes after each destination that must stay as they were.</summary>
    private const int Guard = 64;

    private const byte GuardByte = 0xA5;

    private readonly CompAlgorithm _algorithm;
    private readonly Engine _native;
    private readonly Engine _managed;
    private readonly byte* _output;
    private readonly int _outputLength = Cap + FuzzInput.MaxOutputChunk + Guard;

    public FrameTarget(CompAlgorithm algorithm)
    {
        _algorithm = algorithm;
        _native = new Engine("native", new ZipDevice("zip-native", null,
            ZstdEngine.Native ?? throw new InvalidOperationException("libzstd.so.1 is not installed"),
            Lz4Engine.Native ?? throw new InvalidOperationException("liblz4.so.1 is not installed")));
        _managed = new Engine("managed", new ZipDevice("zip-managed", null, ZstdEngine.Managed, Lz4Engine.Managed));
        _output = (byte*)NativeMemory.Alloc((nuint)_outputLength);
    }

    public Outcome Run(ReadOnlySpan<byte> raw)
    {
        var input = new FuzzInput(raw);
        fixed (byte* data = input.Data)
        {
            int length = input.Data.Length;
            Outcome native = RunEngine(_native, data, length, input);
            Outcome managed = RunEngine(_managed, data, length, input);
            Agree("native", native, "managed", managed);
            return native;
        }
    }

    /// <summary>Block mode into room for the cap, stream mode, and (control bit) block mode into the small output
    /// buffer on one engine; each checked against the first. Returns the block-mode outcome.</summary>
    private Outcome RunEngine(Engine engine, byte* data, int length, FuzzInput input)
    {
        Outcome block = Block(engine, data, length, Cap);
        Outcome stream = Stream(engine, data, length, input.PieceLength, input.OutputChunk);
        Agree($"{engine.Name}, block mode", block, $"{engine.Name}, stream mode", stream);
        if (input.Alternate)
        {
            // A small destination: the same result when it fits, else OUT_OF_SPACE; a data error may be either (corrupt
            // data may fill it before the error shows).
            Outcome small = Block(engine, data, length, input.OutputChunk);
            bool same = SameOutcome(block, small);
            Check(block.Ok ? (block.Bytes.Length <= input.OutputChunk ? same : small.OverCap) : same || small.OverCap,
                $"{engine.Name}, block mode into {input.OutputChunk} bytes says {small}, into {Cap} {block}");
        }

        return block;
    }

    private Outcome Block(Engine engine, byte* data, int length, int capacity)
    {
        Cqe cqe = Request(engine, SqeFlags.None, data, length, _output, capacity);
        switch (cqe.Status)
        {
            case CompletionStatus.Ok:
                Check((cqe.Flags & CqeFlags.EndOfStream) != 0, $"{engine.Name}, block mode: OK without END_OF_STREAM");
                var bytes = new ReadOnlySpan<byte>(_output, (int)cqe.Produced);
                CheckChecksum(engine, "block mode", cqe.Checksum, bytes);
                return Outcome.Success(bytes);
            case CompletionStatus.OutOfSpace:
                Check(cqe.Produced == 0 && cqe.Consumed == 0, $"{engine.Name}, block mode, out of space: consumed {cqe.Consumed}, produced {cqe.Produced}");
                return Outcome.TooLarge();
            case CompletionStatus.DataError:
                return Failure(engine, "block mode", in cqe);
            default:
                throw new FuzzCheckException($"{engine.Name}, block mode: unexpected status {cqe.Status}");
        }
    }

    private Outcome Stream(Engine engine, byte* data, int length, int pieceLength, int outputChunk)
    {
        int total = 0;
        int position = 0;
        SqeFlags flags = SqeFlags.Stream | SqeFlags.NewStream;
        while (true)
        {
            int piece = Math.Min(length - position, pieceLength);
            bool last = position + piece == length;
            Cqe cqe = Request(engine, flags | (last ? SqeFlags.Last : 0), data + position, piece, _output + total, outputChunk);
            flags = SqeFlags.Stream;
            position += (int)cqe.Consumed;
            total += (int)cqe.Produced;
            switch (cqe.Status)
            {
                case CompletionStatus.DataError:
                    return Failure(engine, "stream mode", in cqe);
                case CompletionStatus.OutOfSpace:
                    Check(cqe.Produced == outputChunk, $"{engine.Name}, stream mode: out of space with room left ({cqe.Produced} of {outputChunk})");
                    break;
                case CompletionStatus.Ok:
                    bool ended = (cqe.Flags & CqeFlags.EndOfStream) != 0;
                    Check(cqe.Consumed == piece, $"{engine.Name}, stream mode: OK with input left ({cqe.Consumed} of {piece})");
                    Check(!last || ended, $"{engine.Name}, stream mode: the last piece read, OK, no END_OF_STREAM");
                    CheckChecksum(engine, "stream mode", cqe.Checksum, new ReadOnlySpan<byte>(_output, total));
                    if (last)
                    {
                        return Outcome.Success(new ReadOnlySpan<byte>(_output, total));
                    }

                    break;
                default:
                    throw new FuzzCheckException($"{engine.Name}, stream mode: unexpected status {cqe.Status}");
            }

            if (total > Cap)
            {
                return Outcome.TooLarge();
            }
        }
    }

    /// <summary>One request on <paramref name="engine"/>'s queue, served in this thread; checks the counts and the guard
    /// bytes after the destination.</summary>
    private Cqe Request(Engine engine, SqeFlags flags, byte* src, int srcLength, byte* dst, int dstLength)
    {
        new Span<byte>(dst + dstLength, Guard).Fill(GuardByte);
        var sqe = new Sqe
        {
            UserData = ++engine.Tag,
            Opcode = Opcode.Decompress,
            Algorithm = (byte)_algorithm,
            Flags = flags,
            Src = (ulong)src,
            SrcLen = (uint)srcLength,
            Dst = (ulong)dst,
            DstLen = (uint)dstLength,
        };
        Cqe cqe = engine.Exchange(in sqe);
        Check(cqe.Consumed <= srcLength && cqe.Produced <= dstLength,
            $"{engine.Name}: consumed {cqe.Consumed} of {srcLength}, produced {cqe.Produced} into {dstLength} ({cqe.Status})");
        Check(!new ReadOnlySpan<byte>(dst + dstLength, Guard).ContainsAnyExcept(GuardByte), $"{engine.Name}: wrote past its destination");
        return cqe;
    }

    private static Outcome Failure(Engine engine, string path, in Cqe cqe)
    {
        var kind = (DataErrorKind)cqe.Detail;
        Check(kind != DataErrorKind.None && Enum.IsDefined(kind), $"{engine.Name}, {path}: a data error of kind {cqe.Detail}");
        return Outcome.Failure(kind.ToString());
    }

    /// <summary>An OK completion's checksum is the frame format's content checksum of everything decoded so far.</summary>
    private void CheckChecksum(Engine engine, string path, uint checksum, ReadOnlySpan<byte> decoded)
    {
        uint expected = _algorithm == CompAlgorithm.Zstd ? (uint)XxHash64.HashToUInt64(decoded) : XxHash32.HashToUInt32(decoded);
        Check(checksum == expected, $"{engine.Name}, {path}: checksum {checksum:x8}, XXH of the {decoded.Length} bytes decoded {expected:x8}");
    }

    /// <summary>Both decoded the same bytes, or both refused the input (see the class summary on the kinds), or both
    /// went past the cap.</summary>
    private static bool SameOutcome(Outcome a, Outcome b) =>
        a.Ok == b.Ok && a.OverCap == b.OverCap && a.Bytes.AsSpan().SequenceEqual(b.Bytes)
        && (a.Ok || a.OverCap || s_strictKinds is false || a.Error == b.Error);

    /// <summary><c>WD_FUZZ_STRICT_KINDS=1</c>: the DATA_ERROR kinds must agree too (to study where they differ).</summary>
    private static readonly bool s_strictKinds = Environment.GetEnvironmentVariable("WD_FUZZ_STRICT_KINDS") == "1";

    private static void Agree(string firstName, Outcome first, string secondName, Outcome second)
    {
        string message = $"{firstName} says {first}, {secondName} {second}";
        if (first.OverCap || second.OverCap)
        {
            // Past the cap one path may still find an error the other has not reached yet.
            Check(first.OverCap == second.OverCap || !first.Ok || !second.Ok, message);
            return;
        }

        Check(SameOutcome(first, second), message);
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
        _native.Dispose();
        _managed.Dispose();
        NativeMemory.Free(_output);
    }

    /// <summary>A ZIP device on one set of frame engines with one queue, served inline (the device's code runs in the
    /// fuzzing thread: deterministic coverage, no workers), spoken to through the ring as any client does.</summary>
    private sealed class Engine : IDisposable
    {
        private readonly DeviceHost _host;
        private readonly HardwareQueue _queue;
        private readonly SubmissionProducer _producer;
        private readonly CompletionConsumer _consumer;

        public Engine(string name, ZipDevice device)
        {
            Name = name;
            _host = new DeviceHost(device, new DeviceHostOptions { Inline = true, QueueCount = 1, QueueDepth = 16 });
            if (!_host.TryAllocateQueue(Domain.CreateWholeAddressSpace(), out HardwareQueue? queue)
                || !QueueRegion.TryOpen(queue.RegionBase, queue.RegionSize, out QueueRegion region, out string? error))
            {
                throw new InvalidOperationException($"{name}: no queue");
            }

            _queue = queue;
            _producer = new SubmissionProducer(region);
            _consumer = new CompletionConsumer(region);
        }

        public string Name { get; }

        public ulong Tag { get; set; }

        public Cqe Exchange(in Sqe sqe)
        {
            if (!_producer.TryPublish(in sqe))
            {
                throw new FuzzCheckException($"{Name}: the submission ring is full");
            }

            _host.ServeInline(_queue);
            if (!_consumer.TryConsume(out Cqe cqe) || cqe.UserData != sqe.UserData)
            {
                throw new FuzzCheckException($"{Name}: no completion for request {sqe.UserData}");
            }

            return cqe;
        }

        public void Dispose() => _host.Dispose();
    }
}
