using WarpDrive.Abi;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Devices.Zip;

/// <summary>The ZIP device model (hisi_zip's role): deflate, zlib, gzip, zstd and LZ4 frames, compress and decompress,
/// block and stream mode, data-list input. Deflate runs on ISA-L when present, the system zlib otherwise; zstd and LZ4 on
/// the reference libraries when present, their managed ports otherwise.</summary>
public sealed unsafe class ZipDevice : DeviceModel
{
    /// <summary>Highest compression level of deflate, zlib and gzip.</summary>
    public const int MaxLevel = 9;

    /// <summary>Highest zstd level (the SQE's level byte is signed for zstd: negative levels are zstd's fast levels).</summary>
    public const int MaxZstdLevel = 22;

    /// <summary>Highest LZ4 level (3 and above is LZ4 HC; the byte is signed: negative levels are acceleration factors).</summary>
    public const int MaxLz4Level = 12;

    /// <summary>Largest zstd dictionary a request may name (the <c>zstd</c> tool trains 110 KiB by default).</summary>
    public const int MaxDictionaryLength = 4 << 20;

    /// <summary>Smallest and largest history window (log2).</summary>
    public const int MinWindowBits = 9, MaxWindowBits = 15;

    private static readonly string[] s_algorithms = ["deflate", "zlib", "gzip", "zstd", "lz4"];

    /// <summary>Creates a ZIP device named <paramref name="name"/> on <paramref name="engine"/> (default: the best available)
    /// and the best zstd and LZ4 engines.</summary>
    public ZipDevice(string name = "zip-0", DeflateEngine? engine = null)
        : this(name, engine, null, null)
    {
    }

    /// <summary>Creates a ZIP device named <paramref name="name"/> on the given engines (null: the best available).</summary>
    public ZipDevice(string name, DeflateEngine? engine, ZstdEngine? zstdEngine, Lz4Engine? lz4Engine)
    {
        Name = name;
        Engine = engine ?? DeflateEngine.Best;
        ZstdEngine = zstdEngine ?? ZstdEngine.Best;
        Lz4Engine = lz4Engine ?? Lz4Engine.Best;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The deflate engine this device runs on.</summary>
    public DeflateEngine Engine { get; }

    /// <summary>The zstd engine this device runs on (first in its <c>frame_engines</c> attribute).</summary>
    public ZstdEngine ZstdEngine { get; }

    /// <summary>The LZ4 engine this device runs on (second in its <c>frame_engines</c> attribute).</summary>
    public Lz4Engine Lz4Engine { get; }

    /// <inheritdoc/>
    public override DeviceFlags Flags => DeviceFlags.Sva | DeviceFlags.Share;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Algorithms => s_algorithms;

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<string, string>> ExtraAttributes =>
        [new("engine", Engine.Name), new(FrameEnginesAttribute, $"{ZstdEngine.Name},{Lz4Engine.Name}")];

    /// <summary>The attribute that names the zstd and LZ4 engines, comma-separated (<c>libzstd,liblz4</c> or
    /// <c>zstdsharp,k4os</c>); <c>engine</c> names the deflate one. Attribute names are <c>[a-z_]+</c>.</summary>
    public const string FrameEnginesAttribute = "frame_engines";

    internal override object? CreateEngineState(DeviceHost host) => new ZipEngineState(host.Options.MaxRequestBytes);

    internal override void DisposeEngineState(object? engineState) => (engineState as ZipEngineState)?.Dispose();

    internal override void OnQueueReleased(HardwareQueue queue)
    {
        (queue.ModelState as ZipQueueState)?.Dispose();
        queue.ModelState = null;
    }

    internal override void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe)
    {
        var state = (ZipEngineState)engineState!;
        state.Memory.Reset();
        cqe.Status = Check(in sqe, queue);
        if (cqe.Status != CompletionStatus.Ok)
        {
            return;
        }

        if (sqe.Opcode == Opcode.StreamRelease)
        {
            (queue.ModelState as ZipQueueState)?.Release(sqe.StreamId);
            return;
        }

        cqe.Status = MapBuffers(in sqe, queue, state, out int count, out nint dst, out ulong dstLen);
        if (cqe.Status != CompletionStatus.Ok)
        {
            return;
        }

        cqe.Status = MapDictionary(in sqe, queue, state, out ReadOnlySpan<byte> dictionary);
        if (cqe.Status != CompletionStatus.Ok)
        {
            return;
        }

        cqe.Status = OpenStream(in sqe, queue, state, dictionary, out ZipStream zs, out DataErrorKind refused);
        if (refused != DataErrorKind.None)
        {
            cqe.Detail = (uint)refused; // with DATA_ERROR: the client's dictionary, never the device's fault
        }
        else if (cqe.Status == CompletionStatus.Ok)
        {
            Run(in sqe, queue, state, zs, count, dst, dstLen, ref cqe);
        }
    }

    /// <summary>zstd: the dictionary a stream's first request names (<c>Params</c> its address, <c>Arg</c> its length;
    /// both zero for none), mapped like an input buffer.</summary>
    private static CompletionStatus MapDictionary(in Sqe sqe, HardwareQueue queue, ZipEngineState state, out ReadOnlySpan<byte> dictionary)
    {
        dictionary = default;
        if (sqe.Arg == 0)
        {
            return CompletionStatus.Ok;
        }

        CompletionStatus status = state.Memory.MapInput(queue, sqe.Params, sqe.Arg, out nint pointer);
        if (status == CompletionStatus.Ok)
        {
            dictionary = new ReadOnlySpan<byte>((void*)pointer, (int)sqe.Arg);
        }

        return status;
    }

    /// <summary>The checks on the SQE alone, before any memory is touched: stream flags and unused fields, the opcode
    /// (a stream release needs a stream id in range), the algorithm, level, window and output length.</summary>
    private static CompletionStatus Check(in Sqe sqe, HardwareQueue queue)
    {
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        if (!stream && (sqe.Flags & (SqeFlags.NewStream | SqeFlags.Last)) != 0)
        {
            return CompletionStatus.BadRequest; // stream flags on a block request
        }

        // A dictionary: zstd only, where a stream starts (a block request, or NEW_STREAM), address and length together.
        bool starts = !stream || (sqe.Flags & SqeFlags.NewStream) != 0;
        if ((sqe.Arg != 0 || sqe.Params != 0)
            && (sqe.Algorithm != (byte)CompAlgorithm.Zstd || !starts || sqe.Arg == 0 || sqe.Params == 0 || sqe.Arg > MaxDictionaryLength
                || sqe.Opcode == Opcode.StreamRelease))
        {
            return CompletionStatus.BadRequest;
        }

        if (sqe.Opcode == Opcode.StreamRelease)
        {
            return stream && sqe.StreamId < queue.MaxStreams ? CompletionStatus.Ok : CompletionStatus.BadRequest;
        }

        if (sqe.Opcode is not (Opcode.Compress or Opcode.Decompress))
        {
            return CompletionStatus.BadRequest;
        }

        if (sqe.Algorithm > (byte)CompAlgorithm.Lz4)
        {
            return CompletionStatus.Unsupported;
        }

        int level = Level(in sqe);
        bool levelOk = (CompAlgorithm)sqe.Algorithm switch
        {
            CompAlgorithm.Zstd => level <= MaxZstdLevel,
            CompAlgorithm.Lz4 => level <= MaxLz4Level,
            _ => level <= MaxLevel,
        };
        int windowBits = WindowBits(in sqe);
        return !levelOk || windowBits is < MinWindowBits or > MaxWindowBits || sqe.DstLen > int.MaxValue
            ? CompletionStatus.BadRequest
            : CompletionStatus.Ok;
    }

    private static int WindowBits(in Sqe sqe) => sqe.WindowBits == 0 ? MaxWindowBits : sqe.WindowBits;

    /// <summary>The level byte: signed for zstd and LZ4, whose fast levels are negative.</summary>
    private static int Level(in Sqe sqe) => sqe.Algorithm >= (byte)CompAlgorithm.Zstd ? (sbyte)sqe.Level : sqe.Level;

    /// <summary>Maps the inputs (one buffer, or a data list whose table and entries are all device-visible) into
    /// <see cref="ZipEngineState.Segments"/> and the output buffer.</summary>
    private static CompletionStatus MapBuffers(in Sqe sqe, HardwareQueue queue, ZipEngineState state, out int count, out nint dst, out ulong dstLen)
    {
        dst = 0;
        dstLen = 0;
        Span<(nint Pointer, int Length)> segments = state.Segments;
        CompletionStatus status = RequestSource.Map(state.Memory, queue, in sqe, segments, out count, out _);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (count == 0)
        {
            segments[0] = (0, 0); // an empty list: the codec still runs once (a stream's last piece may carry no input)
            count = 1;
        }

        return state.Memory.MapOutput(queue, sqe.Dst, sqe.DstLen, out dst, out dstLen);
    }

    /// <summary>The codec state the request runs on: the engine's block stream, reset; or the queue's stream of the
    /// SQE's id, begun on NEW_STREAM, else one already begun for the same operation and algorithm.</summary>
    /// <returns>OK or BAD_REQUEST; DATA_ERROR with <paramref name="refused"/> set when the dictionary was refused.</returns>
    private CompletionStatus OpenStream(in Sqe sqe, HardwareQueue queue, ZipEngineState state, ReadOnlySpan<byte> dictionary,
        out ZipStream zs, out DataErrorKind refused)
    {
        var algorithm = (CompAlgorithm)sqe.Algorithm;
        refused = DataErrorKind.None;
        if ((sqe.Flags & SqeFlags.Stream) == 0)
        {
            zs = state.Block;
            refused = zs.Reset(sqe.Opcode, algorithm, Level(in sqe), WindowBits(in sqe), this, dictionary);
            return refused == DataErrorKind.None ? CompletionStatus.Ok : CompletionStatus.DataError;
        }

        zs = state.Block; // not run: the request fails
        if (sqe.StreamId >= queue.MaxStreams)
        {
            return CompletionStatus.BadRequest;
        }

        var contexts = (ZipQueueState)(queue.ModelState ??= new ZipQueueState((int)queue.MaxStreams));
        zs = contexts.GetOrCreate(sqe.StreamId);
        if ((sqe.Flags & SqeFlags.NewStream) != 0)
        {
            refused = zs.Reset(sqe.Opcode, algorithm, Level(in sqe), WindowBits(in sqe), this, dictionary);
            contexts.MarkStarted(sqe.StreamId, refused == DataErrorKind.None);
            return refused == DataErrorKind.None ? CompletionStatus.Ok : CompletionStatus.DataError;
        }

        return !contexts.IsStarted(sqe.StreamId) || zs.Direction != sqe.Opcode || zs.Algorithm != algorithm
               || (zs.Ended && sqe.Opcode == Opcode.Compress)
            ? CompletionStatus.BadRequest // no such stream, or it belongs to another operation
            : CompletionStatus.Ok;
    }

    /// <summary>Runs the codec and writes the output back: block mode is all or nothing.</summary>
    private static void Run(in Sqe sqe, HardwareQueue queue, ZipEngineState state, ZipStream zs, int count, nint dst, ulong dstLen, ref Cqe cqe)
    {
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        bool finalInput = !stream || (sqe.Flags & SqeFlags.Last) != 0;
        zs.Run(state.Segments.AsSpan(0, count), (byte*)dst, (int)dstLen, finalInput, (sqe.Flags & SqeFlags.Flush) != 0, probeWhenFull: !stream, queue, ref cqe);
        if (!stream && cqe.Status == CompletionStatus.OutOfSpace)
        {
            cqe.Produced = 0;
            cqe.Consumed = 0;
        }
        else if (!state.Memory.CommitOutput(cqe.Produced))
        {
            cqe.Status = CompletionStatus.AddressFault;
            cqe.Produced = 0;
        }
    }
}
