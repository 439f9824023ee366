using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Queues;

namespace WarpDrive.Drivers;

/// <summary>The user driver for HiSilicon ZIP queues of the kernel (<c>hisi_qm_v2</c>; UADK's <c>drv/hisi_comp.c</c>
/// on <c>drv/hisi_qm_udrv.c</c>): libwd's compression requests become 128-byte ZIP SQEs, the engine's results written
/// back into them become <see cref="Cqe"/>s.</summary>
/// <remarks>
/// The engine takes a request's direction from its queue's type, so a context is two hardware queues: one that
/// compresses and one that decompresses. The driver writes the zlib or gzip header itself and reads it off the input
/// (the engine does the deflate data and the trailer), builds hardware SGLs for data lists, keeps each stream's 64 KiB
/// context, checksum and size between its requests, tags every SQE and checks the tag at completion, and reads the
/// status words before each doorbell. Requests the engine cannot take (another algorithm, a window under 32 KiB for
/// compression, a bad stream id) complete here, without reaching it.
/// </remarks>
internal sealed unsafe class HisiZipDriver : QueueDriver
{
    /// <summary>Streams a context offers (each holds 64 KiB of context once used).</summary>
    public const int StreamCount = 16;

    private static readonly TimeSpan s_sliceWhenBoth = TimeSpan.FromMilliseconds(1);

    private readonly bool[] _offers = new bool[3]; // by CompAlgorithm: what the device lists (read once, not per request)
    private readonly HisiQmQueue[] _queues; // [0] compresses, [1] decompresses (the queues' qc_type)
    private readonly Pending[][] _pending;
    private readonly HisiSglMemory[][] _sgl;
    private readonly HisiZipStream?[] _streams = new HisiZipStream?[StreamCount];
    private readonly LocalCompletions _local = new(); // answered here
    private static readonly byte* s_empty = (byte*)NativeMemory.AlignedAlloc(64, 64); // the address of an empty buffer
    private readonly bool[] _unrung = new bool[2];
    private uint _nextTag;
    private uint _errors;
    private int _reapFirst;

    /// <summary>A driver on two started queues of <paramref name="device"/>: <paramref name="compress"/> (qc_type 0) and
    /// <paramref name="decompress"/> (qc_type 1).</summary>
    public HisiZipDriver(WdDeviceInfo device, HisiQmQueue compress, HisiQmQueue decompress)
    {
        foreach (CompAlgorithm algorithm in (CompAlgorithm[])[CompAlgorithm.Deflate, CompAlgorithm.Zlib, CompAlgorithm.Gzip])
        {
            _offers[(int)algorithm] = device.Supports(AlgorithmName(algorithm));
        }

        _queues = [compress, decompress];
        _pending = [new Pending[compress.Depth], new Pending[decompress.Depth]];
        _sgl = [new HisiSglMemory[compress.Depth], new HisiSglMemory[decompress.Depth]];
    }

    /// <summary>The queue that compresses (tests).</summary>
    internal HisiQmQueue CompressQueue => _queues[0];

    /// <summary>The queue that decompresses (tests).</summary>
    internal HisiQmQueue DecompressQueue => _queues[1];

    public override uint QueueId => _queues[0].Id;

    // Each hardware queue keeps one slot empty; a context's requests may all go one way.
    public override int Depth => Math.Min(_queues[0].Depth, _queues[1].Depth) - 1;

    public override int MaxStreams => StreamCount;

    public override QueueState State => _queues[0].IsStopped || _queues[1].IsStopped ? QueueState.Disabled : QueueState.Started;

    public override QueueDisableReason DisableReason =>
        State == QueueState.Disabled ? QueueDisableReason.KernelStopped : QueueDisableReason.None;

    public override uint ErrorCount => Volatile.Read(ref _errors);

    public override bool TryPublish(in Sqe sqe)
    {
        if (sqe.Opcode is not (Opcode.Compress or Opcode.Decompress))
        {
            bool released = sqe.Opcode == Opcode.StreamRelease && sqe.StreamId < StreamCount;
            if (released)
            {
                _streams[sqe.StreamId]?.Reset(CompAlgorithm.Deflate);
            }

            Stage(sqe.UserData, released ? CompletionStatus.Ok : CompletionStatus.BadRequest);
            return true;
        }

        int direction = sqe.Opcode == Opcode.Compress ? 0 : 1;
        if (!_queues[direction].HasRoom)
        {
            return false;
        }

        CompletionStatus status = Check(in sqe, direction, out Input input);
        if (status != CompletionStatus.Ok)
        {
            Stage(sqe.UserData, status);
            return true;
        }

        var algorithm = (CompAlgorithm)sqe.Algorithm;
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        if (!TryEnterStream(in sqe, direction, algorithm, input.Length, out HisiZipStream? state))
        {
            return true;
        }

        var request = new Request
        {
            Pending = new Pending { UserData = sqe.UserData, Stream = stream ? (int)sqe.StreamId : -1, Block = !stream },
            Algorithm = algorithm,
            Direction = direction,
            Stream = state,
            Last = !stream || (sqe.Flags & SqeFlags.Last) != 0,
            Dst = sqe.Dst,
            Room = sqe.DstLen,
        };
        if (direction == 0 ? TryWriteHeader(ref request) : TryReadHeader(in input, ref request))
        {
            Submit(in input, ref request);
        }

        return true;
    }

    /// <summary>The checks a request passes before anything is written: its algorithm and window (UNSUPPORTED), its
    /// flags, stream id and unused fields, and its input's size (BAD_REQUEST). <paramref name="input"/> is read only
    /// when the algorithm is one the device offers.</summary>
    private CompletionStatus Check(in Sqe sqe, int direction, out Input input)
    {
        input = default;
        var algorithm = (CompAlgorithm)sqe.Algorithm;
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        if ((uint)algorithm >= (uint)_offers.Length || !_offers[(int)algorithm]
            || (direction == 0 && sqe.WindowBits is not (0 or 15)))
        {
            return CompletionStatus.Unsupported;
        }

        input = new Input(sqe);
        if ((sqe.Flags & ~SqeFlags.All) != 0 || (stream && sqe.StreamId >= StreamCount) || sqe.Arg != 0 || sqe.Params != 0
            || ((sqe.Flags & SqeFlags.SrcDataList) != 0 && sqe.SrcLen > DataListEntry.MaxEntries) || input.TooLong
            || (!stream && (sqe.Flags & (SqeFlags.NewStream | SqeFlags.Last)) != 0))
        {
            return CompletionStatus.BadRequest;
        }

        return CompletionStatus.Ok;
    }

    /// <summary>The stream a stream-mode request continues (null in block mode), begun afresh on NEW_STREAM or when
    /// another gzip member follows; false when the request is answered here (nothing after a stream's end).</summary>
    private bool TryEnterStream(in Sqe sqe, int direction, CompAlgorithm algorithm, uint inputLength, out HisiZipStream? state)
    {
        state = null;
        if ((sqe.Flags & SqeFlags.Stream) == 0)
        {
            return true;
        }

        state = _streams[sqe.StreamId] ??= new HisiZipStream();
        if ((sqe.Flags & SqeFlags.NewStream) != 0)
        {
            state.Reset(algorithm);
        }
        else if (state.Ended)
        {
            if (direction != 1 || algorithm != CompAlgorithm.Gzip || inputLength == 0)
            {
                Stage(sqe.UserData, CompletionStatus.Ok, endOfStream: true); // nothing after the end
                return false;
            }

            state.Reset(algorithm); // another gzip member follows (as gzip -d reads `cat a.gz b.gz`)
        }

        return true;
    }

    /// <summary>Compression: writes the zlib or gzip header before the engine's output (once per stream); false when
    /// the request is answered here (no room for it).</summary>
    private bool TryWriteHeader(ref Request request)
    {
        if (request.Stream?.HeaderWritten ?? false)
        {
            return true;
        }

        ReadOnlySpan<byte> header = HisiZipHeaders.For(request.Algorithm);
        if (request.Room < header.Length)
        {
            Stage(request.Pending.UserData, CompletionStatus.OutOfSpace);
            return false;
        }

        header.CopyTo(new Span<byte>((void*)request.Dst, header.Length));
        request.Dst += (uint)header.Length;
        request.Room -= (uint)header.Length;
        request.Pending.HeaderBytes = header.Length;
        request.Stream?.HeaderWritten = true;
        return true;
    }

    /// <summary>Decompression: reads the zlib or gzip header off the input (across requests in stream mode); false when
    /// the request is answered here (a bad or truncated header, or only header bytes so far).</summary>
    private bool TryReadHeader(in Input input, ref Request request)
    {
        HisiZipHeaderReader blockHeader = default;
        blockHeader.Reset(request.Algorithm);
        ref HisiZipHeaderReader header = ref request.Stream is null ? ref blockHeader : ref request.Stream.Header;
        DataErrorKind error = input.ReadHeader(ref header, request.Algorithm, out int headerBytes);
        request.Pending.HeaderBytes = headerBytes;
        if (error != DataErrorKind.None || (!header.Done && request.Last))
        {
            Stage(request.Pending.UserData, CompletionStatus.DataError, error == DataErrorKind.None ? DataErrorKind.Truncated : error, consumed: (uint)headerBytes);
            return false;
        }

        if (!header.Done || (headerBytes == input.Length && !request.Last))
        {
            Stage(request.Pending.UserData, CompletionStatus.Ok, consumed: (uint)headerBytes); // header only: send more
            return false;
        }

        return true;
    }

    /// <summary>Builds the hardware SQE of a checked request (flat buffers or SGLs) and queues it for the doorbell.</summary>
    private void Submit(in Input input, ref Request request)
    {
        int direction = request.Direction;
        bool stream = request.Stream is not null;
        uint skip = direction == 1 ? (uint)request.Pending.HeaderBytes : 0;
        uint length = ClampToRoom(ref request, input.Length - skip);
        var hw = default(HisiZipSqe);
        hw.Dw9 = (uint)ToHardware(request.Algorithm) | (HisiZipSqe.Window32K << HisiZipSqe.WindowSizeShift);
        request.Pending.Finish = request.Last;
        hw.Dw7 = ((request.Last ? 1u : 0u) << HisiZipSqe.FlushTypeShift) | ((stream ? 1u : 0u) << HisiZipSqe.StreamModeShift);
        hw.InputDataLength = length;
        hw.DestAvailOut = request.Room;
        uint tag = ++_nextTag == 0 ? ++_nextTag : _nextTag; // 0 marks a free slot
        hw.Dw13 = tag;
        request.Pending.Tag = tag;
        if (request.Stream is { } state)
        {
            if (!state.EngineStarted)
            {
                hw.Dw7 |= 1u << HisiZipSqe.StreamNewShift;
                state.EngineStarted = true;
            }

            state.CarryInto(ref hw);
        }

        HisiQmQueue queue = _queues[direction];
        int slot = queue.NextSlot;
        if (input.IsList)
        {
            hw.Dw9 |= HisiZipSqe.BufferSgl << HisiZipSqe.BufferTypeShift;
            hw.Dw7 |= skip & HisiZipSqe.InSgeOffsetMask;
            ref HisiSglMemory memory = ref _sgl[direction][slot];
            hw.SourceAddress = memory.WriteInput(input.Entries, input.Count);
            hw.DestinationAddress = memory.WriteOutput(request.Dst, request.Room);
        }
        else
        {
            // An empty buffer still gets a valid address (a null pointer from an empty span would be address 0).
            hw.SourceAddress = length == 0 ? (ulong)s_empty : input.Address + skip;
            hw.DestinationAddress = request.Room == 0 ? (ulong)s_empty : request.Dst;
        }

        _pending[direction][slot] = request.Pending;
        queue.Enqueue(in hw);
        _unrung[direction] = true;
    }

    /// <summary>Stream-mode compression: the engine's output may be up to 9/8 of its input, so it gets no more input
    /// than its room holds (UADK's max_in_data_size) and never runs out of room mid-request; the rest goes in the next
    /// request, and this one is no longer the last.</summary>
    private static uint ClampToRoom(ref Request request, uint length)
    {
        if (request.Direction != 0 || request.Stream is null)
        {
            return length;
        }

        uint most = (uint)(((ulong)request.Room << 3) / 9) & ~3u;
        if (length > most && most > 0)
        {
            request.Last = false;
            request.Pending.Clamped = true;
            return most;
        }

        return length;
    }

    public override void Flush()
    {
        // Both status words first: a doorbell rung for one direction must not be followed by a failure for the other
        // (the caller would take back requests the device still runs).
        if ((_unrung[0] && _queues[0].IsStopped) || (_unrung[1] && _queues[1].IsStopped))
        {
            DiscardUnflushed();
            ThrowHelper.QueueDisabled(QueueState.Disabled, QueueDisableReason.KernelStopped);
        }

        for (int direction = 0; direction < 2; direction++)
        {
            if (_unrung[direction])
            {
                _unrung[direction] = false;
                _ = _queues[direction].RingSq(); // a status word set since the look: the kernel stopped it, nothing runs
            }
        }

        _local.Release();
    }

    /// <summary>The requests answered here since the last doorbell are not in flight after all (the caller takes them
    /// back): forget their answers.</summary>
    public override void DiscardUnflushed() => _local.Discard();

    public override bool TryConsume(out Cqe cqe)
    {
        if (_local.TryTake(out cqe))
        {
            return true;
        }

        int first = _reapFirst;
        _reapFirst ^= 1; // neither direction starves the other
        return TryReap(first, out cqe) || TryReap(first ^ 1, out cqe);
    }

    private bool TryReap(int direction, out Cqe cqe)
    {
        cqe = default;
        HisiQmQueue queue = _queues[direction];
        if (!queue.TryPeekPending(_pending[direction], ref _errors, out int slot))
        {
            return false;
        }

        ref Pending pending = ref _pending[direction][slot];
        HisiZipSqe result = queue.Slot<HisiZipSqe>(slot);
        cqe.UserData = pending.UserData;
        if (result.Dw13 != pending.Tag)
        {
            cqe.Status = CompletionStatus.InternalError; // the SQE in the slot is not the one submitted
        }
        else
        {
            Translate(direction, in pending, in result, ref cqe);
        }

        pending = default;
        queue.Advance();
        if (cqe.Status != CompletionStatus.Ok)
        {
            Interlocked.Increment(ref _errors);
        }

        return true;
    }

    private void Translate(int direction, in Pending pending, in HisiZipSqe result, ref Cqe cqe)
    {
        HisiZipStream? state = pending.Stream >= 0 ? _streams[pending.Stream] : null;
        state?.CarryFrom(in result);

        cqe.Checksum = result.Checksum;
        if (direction == 0)
        {
            cqe.Consumed = result.Consumed;
            cqe.Produced = result.Produced + (uint)pending.HeaderBytes;
            cqe.Status = result.Status switch
            {
                HisiZipStatus.Ok or HisiZipStatus.NegativeCompression => pending.Clamped ? CompletionStatus.OutOfSpace : CompletionStatus.Ok,
                HisiZipStatus.OutputTooSmall => CompletionStatus.OutOfSpace,
                HisiZipStatus.ModelBadRequest => CompletionStatus.BadRequest,
                _ => CompletionStatus.InternalError,
            };
            if (pending.Block && cqe.Status == CompletionStatus.OutOfSpace)
            {
                cqe.Consumed = cqe.Produced = 0; // nothing useful was written
            }
            else if (pending.Finish && cqe.Status == CompletionStatus.Ok)
            {
                cqe.Flags = CqeFlags.EndOfStream; // the trailer is written
            }

            return;
        }

        cqe.Consumed = result.Consumed + (uint)pending.HeaderBytes;
        cqe.Produced = result.Produced;
        switch (result.Status)
        {
            case HisiZipStatus.DecompressEnd when (result.Dw3 & HisiZipSqe.LastBlockBit) != 0:
                cqe.Status = CompletionStatus.Ok;
                cqe.Flags = CqeFlags.EndOfStream;
                state?.Ended = true;
                break;
            case HisiZipStatus.Ok when result.ContextState is HisiZipContextState.DecompressNoSpace or HisiZipContextState.DecompressingNoSpace:
            case HisiZipStatus.OutputTooSmall:
                cqe.Status = CompletionStatus.OutOfSpace;
                break;
            case HisiZipStatus.Ok:
                // Input used up before the end: fine mid-stream, truncated data in a block request.
                cqe.Status = pending.Block ? CompletionStatus.DataError : CompletionStatus.Ok;
                cqe.Detail = pending.Block ? (uint)DataErrorKind.Truncated : 0;
                break;
            case HisiZipStatus.CrcError:
                cqe.Status = CompletionStatus.DataError;
                cqe.Detail = (uint)DataErrorKind.ChecksumMismatch;
                break;
            case HisiZipStatus.ModelTruncatedInput:
                cqe.Status = CompletionStatus.DataError;
                cqe.Detail = (uint)DataErrorKind.Truncated;
                break;
            case HisiZipStatus.ModelBadRequest:
                cqe.Status = CompletionStatus.BadRequest;
                break;
            default:
                // Like UADK, any other status is a failed request: on decompression, input the engine could not read.
                cqe.Status = CompletionStatus.DataError;
                cqe.Detail = (uint)DataErrorKind.InvalidData;
                break;
        }

        if (pending.Block && cqe.Status == CompletionStatus.OutOfSpace)
        {
            cqe.Consumed = cqe.Produced = 0; // block mode is all or nothing: retry with more room
        }
    }

    public override bool HasCompletion() =>
        _local.Any || _queues[0].TryPeek(out _) || _queues[1].TryPeek(out _);

    public override void Sleep(TimeSpan maxSleep)
    {
        // A completion wakes poll() on its own queue's file; with requests on both, look at each in turn.
        bool compress = _queues[0].InFlight > 0, decompress = _queues[1].InFlight > 0;
        if (compress && decompress)
        {
            _queues[0].Wait(s_sliceWhenBoth < maxSleep ? s_sliceWhenBoth : maxSleep);
            if (!HasCompletion())
            {
                _queues[1].Wait(s_sliceWhenBoth < maxSleep ? s_sliceWhenBoth : maxSleep);
            }
        }
        else if (compress || decompress)
        {
            _queues[compress ? 0 : 1].Wait(maxSleep);
        }
    }

    public override void WakeSleepers()
    {
        // Sleepers wait at most their own bound in poll(); nothing to wake.
    }

    /// <summary>Frees the SGLs and stream contexts: call only after the queues were released (the engine has left them).</summary>
    public override void Dispose()
    {
        foreach (HisiSglMemory[] slots in _sgl)
        {
            for (int i = 0; i < slots.Length; i++)
            {
                slots[i].Dispose();
            }
        }

        foreach (HisiZipStream? stream in _streams)
        {
            stream?.Dispose();
        }
    }

    /// <summary>Answers a request here, without the engine; reapable after the next <see cref="Flush"/>, as a request
    /// the engine runs would be.</summary>
    private void Stage(ulong userData, CompletionStatus status, DataErrorKind detail = DataErrorKind.None, uint consumed = 0,
        bool endOfStream = false)
    {
        _local.Stage(new Cqe
        {
            UserData = userData,
            Status = status,
            Detail = (uint)detail,
            Consumed = consumed,
            Flags = endOfStream ? CqeFlags.EndOfStream : CqeFlags.None,
        });
        if (status != CompletionStatus.Ok)
        {
            Interlocked.Increment(ref _errors);
        }
    }

    private static HisiZipAlgorithm ToHardware(CompAlgorithm algorithm) => algorithm switch
    {
        CompAlgorithm.Zlib => HisiZipAlgorithm.Zlib,
        CompAlgorithm.Gzip => HisiZipAlgorithm.Gzip,
        _ => HisiZipAlgorithm.Deflate,
    };

    private static string AlgorithmName(CompAlgorithm algorithm) => algorithm switch
    {
        CompAlgorithm.Zlib => "zlib",
        CompAlgorithm.Gzip => "gzip",
        _ => "deflate",
    };

    /// <summary>What the driver remembers of a request in an SQ slot until its completion.</summary>
    /// <summary>A checked request on its way to the hardware: what <see cref="TryPublish"/>'s steps hand on.</summary>
    private ref struct Request
    {
        public Pending Pending;
        public CompAlgorithm Algorithm;
        public int Direction;
        public HisiZipStream? Stream;
        public bool Last; // the flush type is finish (cleared when the input is clamped to the room)
        public ulong Dst;
        public uint Room;
    }

    private struct Pending : IHisiQmPending
    {
        public ulong UserData;
        public uint Tag;
        public int Stream;
        public int HeaderBytes; // written before the engine's output (compression) or read off the input (decompression)
        public bool Block;
        public bool Clamped;
        public bool Finish; // the flush type was finish: a compression that succeeds ends the stream

        public readonly bool Active => Tag != 0;
    }

    /// <summary>A request's input: a flat buffer or a data list.</summary>
    private readonly struct Input
    {
        public Input(in Sqe sqe)
        {
            if ((sqe.Flags & SqeFlags.SrcDataList) != 0)
            {
                Entries = (DataListEntry*)sqe.Src;
                Count = (int)Math.Min(sqe.SrcLen, DataListEntry.MaxEntries);
                ulong total = HisiSglMemory.TotalLength(Entries, Count);
                TooLong = total > uint.MaxValue;
                Length = (uint)total;
            }
            else
            {
                Address = sqe.Src;
                Length = sqe.SrcLen;
            }
        }

        public DataListEntry* Entries { get; }

        public int Count { get; }

        public ulong Address { get; }

        public uint Length { get; }

        public bool IsList => Entries is not null;

        /// <summary>The data list adds up to more than 4 GiB.</summary>
        public bool TooLong { get; }

        /// <summary>Reads the header off the start of the input.</summary>
        public DataErrorKind ReadHeader(ref HisiZipHeaderReader header, CompAlgorithm algorithm, out int consumed)
        {
            consumed = 0;
            if (!IsList)
            {
                return header.Read(algorithm, (byte*)Address, (int)Length, out consumed);
            }

            for (int i = 0; i < Count && !header.Done; i++)
            {
                DataErrorKind error = header.Read(algorithm, (byte*)Entries[i].Address, (int)Entries[i].Length, out int used);
                consumed += used;
                if (error != DataErrorKind.None)
                {
                    return error;
                }
            }

            return DataErrorKind.None;
        }
    }
}
