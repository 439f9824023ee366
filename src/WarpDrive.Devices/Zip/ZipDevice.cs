using WarpDrive.Abi;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Devices.Zip;

/// <summary>The ZIP device model (hisi_zip's role): deflate, zlib and gzip, compress and decompress, block and
/// stream mode, data-list input. Runs on ISA-L when present, the runtime's zlib-ng otherwise.</summary>
public sealed unsafe class ZipDevice : DeviceModel
{
    /// <summary>Highest compression level.</summary>
    public const int MaxLevel = 9;

    /// <summary>Smallest and largest history window (log2).</summary>
    public const int MinWindowBits = 9, MaxWindowBits = 15;

    private static readonly string[] s_algorithms = ["deflate", "zlib", "gzip"];

    /// <summary>Creates a ZIP device named <paramref name="name"/> on <paramref name="engine"/> (default: the best available).</summary>
    public ZipDevice(string name = "zip-0", DeflateEngine? engine = null)
    {
        Name = name;
        Engine = engine ?? DeflateEngine.Best;
    }

    /// <inheritdoc/>
    public override string Name { get; }

    /// <summary>The deflate engine this device runs on.</summary>
    public DeflateEngine Engine { get; }

    /// <inheritdoc/>
    public override DeviceFlags Flags => DeviceFlags.Sva | DeviceFlags.Share;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Algorithms => s_algorithms;

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<string, string>> ExtraAttributes => [new("engine", Engine.Name)];

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
        RequestMemory memory = state.Memory;
        memory.Reset();
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        if ((!stream && (sqe.Flags & (SqeFlags.NewStream | SqeFlags.Last)) != 0) || sqe.Arg != 0 || sqe.Params != 0)
        {
            cqe.Status = CompletionStatus.BadRequest; // stream flags on a block request, or fields ZIP does not use
            return;
        }

        if (sqe.Opcode == Opcode.StreamRelease)
        {
            if (!stream || sqe.StreamId >= queue.MaxStreams)
            {
                cqe.Status = CompletionStatus.BadRequest;
                return;
            }

            (queue.ModelState as ZipQueueState)?.Release(sqe.StreamId);
            cqe.Status = CompletionStatus.Ok;
            return;
        }

        if (sqe.Opcode is not (Opcode.Compress or Opcode.Decompress))
        {
            cqe.Status = CompletionStatus.BadRequest;
            return;
        }

        if (sqe.Algorithm > (byte)CompAlgorithm.Gzip)
        {
            cqe.Status = CompletionStatus.Unsupported;
            return;
        }

        int windowBits = sqe.WindowBits == 0 ? MaxWindowBits : sqe.WindowBits;
        if (sqe.Level > MaxLevel || windowBits is < MinWindowBits or > MaxWindowBits || sqe.DstLen > int.MaxValue)
        {
            cqe.Status = CompletionStatus.BadRequest;
            return;
        }

        // Inputs: one buffer, or a data list whose table and entries are all device-visible.
        Span<(nint Pointer, int Length)> segments = state.Segments;
        cqe.Status = RequestSource.Map(memory, queue, in sqe, segments, out int count, out _);
        if (cqe.Status != CompletionStatus.Ok)
        {
            return;
        }

        if (count == 0)
        {
            segments[0] = (0, 0); // an empty list: the codec still runs once (a stream's last piece may carry no input)
            count = 1;
        }

        cqe.Status = memory.MapOutput(queue, sqe.Dst, sqe.DstLen, out nint dst, out ulong dstLen);
        if (cqe.Status != CompletionStatus.Ok)
        {
            return;
        }

        var algorithm = (CompAlgorithm)sqe.Algorithm;
        ZipStream zs;
        if (stream)
        {
            if (sqe.StreamId >= queue.MaxStreams)
            {
                cqe.Status = CompletionStatus.BadRequest;
                return;
            }

            var contexts = (ZipQueueState)(queue.ModelState ??= new ZipQueueState((int)queue.MaxStreams));
            zs = contexts.GetOrCreate(sqe.StreamId);
            if ((sqe.Flags & SqeFlags.NewStream) != 0)
            {
                zs.Reset(sqe.Opcode, algorithm, sqe.Level, windowBits, Engine);
                contexts.MarkStarted(sqe.StreamId, true);
            }
            else if (!contexts.IsStarted(sqe.StreamId) || zs.Direction != sqe.Opcode || zs.Algorithm != algorithm
                     || (zs.Ended && sqe.Opcode == Opcode.Compress))
            {
                cqe.Status = CompletionStatus.BadRequest; // no such stream, or it belongs to another operation
                return;
            }
        }
        else
        {
            zs = state.Block;
            zs.Reset(sqe.Opcode, algorithm, sqe.Level, windowBits, Engine);
        }

        bool finalInput = !stream || (sqe.Flags & SqeFlags.Last) != 0;
        zs.Run(segments[..count], (byte*)dst, (int)dstLen, finalInput, (sqe.Flags & SqeFlags.Flush) != 0, probeWhenFull: !stream, queue, ref cqe);
        if (!stream && cqe.Status == CompletionStatus.OutOfSpace)
        {
            // Block mode is all or nothing.
            cqe.Produced = 0;
            cqe.Consumed = 0;
        }
        else if (!memory.CommitOutput(cqe.Produced))
        {
            cqe.Status = CompletionStatus.AddressFault;
            cqe.Produced = 0;
        }
    }
}
