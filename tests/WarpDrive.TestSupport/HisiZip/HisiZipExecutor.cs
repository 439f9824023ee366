using System.Buffers.Binary;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Devices.Engines;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiZip;

/// <summary>What the model's engine writes back into an SQE.</summary>
internal struct HisiZipResult
{
    public uint Consumed;
    public uint Produced;
    public HisiZipStatus Status;
    public bool LastBlock;
    public HisiZipContextState State;
    public uint Isize;
    public uint Checksum;
}

/// <summary>Runs ZIP SQEs for one queue, on its worker only: the queue's direction (from its <c>qc_type</c>),
/// the codecs of its streams (kept per stream-context address, where the hardware keeps them in the 64 KiB context)
/// and the buffers an SQE names (flat, or <see cref="HisiSgl"/> chains). The codec runs raw deflate; the zlib and gzip
/// trailers are written and read here.</summary>
internal sealed unsafe class HisiZipExecutor : IHisiQmEngine
{
    private const int Level = 6;
    private const int WindowBits = 15;
    private const int MaxSpareStates = 8;
    private const int ZlibTrailerLength = 4;
    private const int GzipTrailerLength = 8;

    private readonly bool _decompress;
    private readonly DeflateEngine _compressEngine;
    private readonly Dictionary<ulong, StreamState> _streams = [];
    private readonly Stack<StreamState> _spare = new();
    private readonly List<(nint Pointer, int Length)> _input = [];
    private readonly List<(nint Pointer, int Length)> _output = [];
    private StreamState? _block;

    public HisiZipExecutor(bool decompress, DeflateEngine compressEngine)
    {
        _decompress = decompress;
        _compressEngine = compressEngine;
    }

    /// <summary>Streams whose state the executor holds (started and not yet ended).</summary>
    public int OpenStreams => _streams.Count;

    /// <summary>Runs the ZIP SQE at <paramref name="slot"/> and writes its result back into it.</summary>
    public void Execute(byte* slot)
    {
        var entry = (HisiZipSqe*)slot;
        HisiZipSqe sqe = *entry; // the engine reads the SQE once
        HisiZipResult result;
        try
        {
            result = Execute(sqe);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An SQE the model cannot run (an arithmetic overflow on hostile lengths, a codec that failed in a way a
            // request should not cause): the engine answers it, it does not die.
            result = new HisiZipResult { Status = HisiZipStatus.ModelBadRequest, Isize = sqe.Isize, Checksum = sqe.Checksum };
        }

        entry->Consumed = result.Consumed;
        entry->Produced = result.Produced;
        entry->Dw3 = (uint)result.Status | (result.LastBlock ? HisiZipSqe.LastBlockBit : 0);
        entry->ContextDw0 = (uint)result.State;
        entry->Isize = result.Isize;
        entry->Checksum = result.Checksum;
    }

    /// <summary>Runs <paramref name="sqe"/> (a copy of the slot) and says what to write back.</summary>
    public HisiZipResult Execute(in HisiZipSqe sqe)
    {
        var result = new HisiZipResult { Status = HisiZipStatus.ModelBadRequest, Isize = sqe.Isize, Checksum = sqe.Checksum };
        var algorithm = (HisiZipAlgorithm)(sqe.Dw9 & HisiZipSqe.RequestTypeMask);
        uint bufferType = (sqe.Dw9 >> HisiZipSqe.BufferTypeShift) & 0xf;
        bool finish = ((sqe.Dw7 >> HisiZipSqe.FlushTypeShift) & 1) != 0;
        bool streamMode = ((sqe.Dw7 >> HisiZipSqe.StreamModeShift) & 1) != 0;
        bool newStream = ((sqe.Dw7 >> HisiZipSqe.StreamNewShift) & 1) != 0;
        if (algorithm is not (HisiZipAlgorithm.Deflate or HisiZipAlgorithm.Zlib or HisiZipAlgorithm.Gzip)
            || bufferType is not (HisiZipSqe.BufferFlat or HisiZipSqe.BufferSgl)
            || sqe.SourceAddress == 0 || sqe.DestinationAddress == 0
            || (streamMode && sqe.StreamContextAddress == 0)
            || sqe.InputDataLength > int.MaxValue || sqe.DestAvailOut > int.MaxValue)
        {
            return result;
        }

        _input.Clear();
        _output.Clear();
        if (bufferType == HisiZipSqe.BufferFlat)
        {
            _input.Add(((nint)sqe.SourceAddress, (int)sqe.InputDataLength));
            _output.Add(((nint)sqe.DestinationAddress, (int)sqe.DestAvailOut));
        }
        else if (!HisiSglReader.Gather(sqe.SourceAddress, sqe.Dw7 & HisiZipSqe.InSgeOffsetMask, sqe.InputDataLength, exact: true, _input)
            || !HisiSglReader.Gather(sqe.DestinationAddress, sqe.Dw8 & HisiZipSqe.InSgeOffsetMask, sqe.DestAvailOut == 0 ? int.MaxValue : sqe.DestAvailOut, exact: false, _output))
        {
            return result;
        }

        StreamState state;
        bool fresh = true;
        if (!streamMode)
        {
            state = _block ??= new StreamState(CreateCodec());
        }
        else if (newStream || !_streams.TryGetValue(sqe.StreamContextAddress, out state!))
        {
            if (_streams.Remove(sqe.StreamContextAddress, out StreamState? old))
            {
                Recycle(old);
            }

            state = _spare.Count > 0 ? _spare.Pop() : new StreamState(CreateCodec());
            _streams[sqe.StreamContextAddress] = state;
        }
        else
        {
            fresh = false;
        }

        if (fresh)
        {
            state.Start();
        }

        CompAlgorithm checksumKind = algorithm == HisiZipAlgorithm.Zlib ? CompAlgorithm.Zlib : CompAlgorithm.Gzip;
        result.Checksum = fresh ? Checksums.Initial(checksumKind) : sqe.Checksum;
        result.Isize = fresh ? 0 : sqe.Isize;

        int room = 0;
        foreach ((_, int length) in _output)
        {
            room += length;
        }

        byte* scratch = _output.Count > 1 ? (byte*)NativeMemory.Alloc((nuint)room) : null;
        byte dummy = 0;
        byte* output = scratch != null ? scratch : _output.Count == 1 && _output[0].Length > 0 ? (byte*)_output[0].Pointer : &dummy;
        bool ended;
        try
        {
            ended = _decompress
                ? Decompress(state, algorithm, checksumKind, output, room, finish, streamMode, ref result)
                : Compress(state, algorithm, checksumKind, output, room, finish, streamMode, ref result);
            if (scratch != null)
            {
                Scatter(scratch, (int)result.Produced);
            }
        }
        finally
        {
            NativeMemory.Free(scratch);
        }

        if (streamMode && ended)
        {
            _ = _streams.Remove(sqe.StreamContextAddress);
            Recycle(state);
        }

        return result;
    }

    /// <summary>Compresses into <paramref name="output"/>; true when the stream is over (its trailer written, or a
    /// failure that leaves nothing to go on with).</summary>
    private bool Compress(StreamState state, HisiZipAlgorithm algorithm, CompAlgorithm checksumKind, byte* output, int room,
        bool finish, bool streamMode, ref HisiZipResult result)
    {
        int produced = 0;
        long consumed = 0;
        if (state.PendingLength > 0)
        {
            // The trailer of a finished stream that did not fit last time.
            produced = WritePending(state, output, room);
            result.Produced = (uint)produced;
            result.Status = state.PendingLength > 0 ? HisiZipStatus.OutputTooSmall
                : produced > 0 ? HisiZipStatus.NegativeCompression // the request's output is all trailer
                : HisiZipStatus.Ok;
            return state.PendingLength == 0;
        }

        Codec codec = state.Codec;
        bool full = false;
        byte dummy = 0;
        int segments = Math.Max(_input.Count, 1);
        for (int i = 0; i < segments && !full && !state.Ended; i++)
        {
            (nint pointer, int length) = i < _input.Count ? _input[i] : ((nint)(&dummy), 0);
            byte* input = length > 0 ? (byte*)pointer : &dummy;
            bool last = i == segments - 1;
            FlushMode flush = !last ? FlushMode.None : finish ? FlushMode.Finish : FlushMode.Sync;
            int offset = 0;
            while (true)
            {
                CodecStatus status = codec.Process(input + offset, length - offset, output + produced, room - produced, flush,
                    out int c, out int p, out _);
                result.Checksum = Checksums.Update(checksumKind, result.Checksum, input + offset, c);
                result.Isize += (uint)c;
                offset += c;
                consumed += c;
                produced += p;
                if (status == CodecStatus.StreamEnd)
                {
                    state.Ended = true;
                    break;
                }

                if (status == CodecStatus.NeedInput)
                {
                    break;
                }

                if (status != CodecStatus.OutputFull)
                {
                    throw new InvalidOperationException($"compressor stopped with {status}");
                }

                if (produced == room || (c == 0 && p == 0))
                {
                    full = true;
                    break;
                }
            }
        }

        if (!full && state.Ended)
        {
            state.PendingLength = algorithm switch
            {
                HisiZipAlgorithm.Zlib => ZlibTrailerLength,
                HisiZipAlgorithm.Gzip => GzipTrailerLength,
                _ => 0,
            };
            state.PendingOffset = 0;
            if (algorithm == HisiZipAlgorithm.Zlib)
            {
                BinaryPrimitives.WriteUInt32BigEndian(state.Trailer, result.Checksum);
            }
            else if (algorithm == HisiZipAlgorithm.Gzip)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(state.Trailer, result.Checksum);
                BinaryPrimitives.WriteUInt32LittleEndian(state.Trailer.AsSpan(4), result.Isize);
            }

            produced += WritePending(state, output + produced, room - produced);
            full = state.PendingLength > 0;
        }

        result.Consumed = (uint)consumed;
        result.Produced = (uint)produced;
        if (full)
        {
            result.Status = HisiZipStatus.OutputTooSmall;
            if (!streamMode)
            {
                // Block mode: nothing useful was written.
                (result.Consumed, result.Produced) = (0, 0);
                return true;
            }

            return false;
        }

        result.Status = state.Ended && produced > consumed ? HisiZipStatus.NegativeCompression : HisiZipStatus.Ok;
        return state.Ended;
    }

    private static int WritePending(StreamState state, byte* output, int room)
    {
        int n = Math.Min(state.PendingLength, room);
        state.Trailer.AsSpan(state.PendingOffset, n).CopyTo(new Span<byte>(output, n));
        state.PendingOffset += n;
        state.PendingLength -= n;
        return n;
    }

    /// <summary>Decompresses into <paramref name="output"/> and reads the trailer; true when the stream is over (its
    /// end reached, or input it cannot go on with).</summary>
    private bool Decompress(StreamState state, HisiZipAlgorithm algorithm, CompAlgorithm checksumKind, byte* output, int room,
        bool finish, bool streamMode, ref HisiZipResult result)
    {
        Codec codec = state.Codec;
        byte dummy = 0;
        int trailerLength = algorithm switch
        {
            HisiZipAlgorithm.Zlib => ZlibTrailerLength,
            HisiZipAlgorithm.Gzip => GzipTrailerLength,
            _ => 0,
        };
        int segment = 0, offset = 0;
        int produced = 0;
        long consumed = 0;
        bool outOfInput = false;
        bool over = false;
        result.Status = HisiZipStatus.Ok;
        while (true)
        {
            (nint pointer, int length) = segment < _input.Count ? _input[segment] : ((nint)(&dummy), 0);
            byte* input = length > 0 ? (byte*)pointer : &dummy;
            bool moreSegments = segment + 1 < _input.Count;
            if (offset == length && moreSegments)
            {
                segment++;
                offset = 0;
                continue;
            }

            if (!state.Ended)
            {
                CodecStatus status = codec.Process(input + offset, length - offset, output + produced, room - produced,
                    FlushMode.None, out int c, out int p, out _);
                result.Checksum = Checksums.Update(checksumKind, result.Checksum, output + produced, p);
                result.Isize += (uint)p;
                offset += c;
                consumed += c;
                produced += p;
                if (status == CodecStatus.StreamEnd)
                {
                    state.Ended = true;
                    continue;
                }

                if (status == CodecStatus.DataError)
                {
                    result.Status = HisiZipStatus.ModelInvalidInput;
                    over = true;
                    break;
                }

                if (status == CodecStatus.OutputFull)
                {
                    bool inputLeft = offset < length || moreSegments;
                    if (streamMode)
                    {
                        result.State = HisiZipContextState.DecompressNoSpace;
                        break;
                    }

                    if (!inputLeft)
                    {
                        // All input read and the output full: the end may be just ahead. Block mode spends the state
                        // to tell (a byte this produces is lost, but then the request fails anyway).
                        status = codec.Process(&dummy, 0, &dummy, 1, FlushMode.None, out _, out int probe, out _);
                        if (probe == 0 && status == CodecStatus.StreamEnd)
                        {
                            state.Ended = true;
                            continue;
                        }

                        if (probe == 0 && status == CodecStatus.DataError)
                        {
                            result.Status = HisiZipStatus.ModelInvalidInput;
                            over = true;
                            break;
                        }

                        if (probe == 0 && status == CodecStatus.NeedInput)
                        {
                            outOfInput = true;
                            break;
                        }
                    }

                    result.Status = HisiZipStatus.OutputTooSmall;
                    over = true;
                    break;
                }

                // NeedInput: this segment is used up.
                if (!moreSegments)
                {
                    outOfInput = true;
                    break;
                }

                continue;
            }

            int need = trailerLength - state.TrailerHave;
            int take = Math.Min(need, length - offset);
            new ReadOnlySpan<byte>(input + offset, take).CopyTo(state.Trailer.AsSpan(state.TrailerHave));
            state.TrailerHave += take;
            offset += take;
            consumed += take;
            if (state.TrailerHave < trailerLength)
            {
                if (moreSegments)
                {
                    continue;
                }

                outOfInput = true;
                break;
            }

            bool match = algorithm switch
            {
                HisiZipAlgorithm.Zlib => BinaryPrimitives.ReadUInt32BigEndian(state.Trailer) == result.Checksum,
                HisiZipAlgorithm.Gzip => BinaryPrimitives.ReadUInt32LittleEndian(state.Trailer) == result.Checksum
                    && BinaryPrimitives.ReadUInt32LittleEndian(state.Trailer.AsSpan(4)) == result.Isize,
                _ => true,
            };
            result.Status = match ? HisiZipStatus.DecompressEnd : HisiZipStatus.CrcError;
            result.LastBlock = match;
            over = true;
            break;
        }

        if (outOfInput)
        {
            // Sync flush in stream mode: more input will come. Otherwise this was all there is.
            if (finish || !streamMode)
            {
                result.Status = HisiZipStatus.ModelTruncatedInput;
                over = true;
            }
        }

        result.Consumed = (uint)consumed;
        result.Produced = (uint)produced;
        return over;
    }

    /// <summary>Copies the first <paramref name="produced"/> bytes of <paramref name="scratch"/> into the output's SGL
    /// segments.</summary>
    private void Scatter(byte* scratch, int produced)
    {
        foreach ((nint pointer, int length) in _output)
        {
            if (produced <= 0)
            {
                break;
            }

            int n = Math.Min(length, produced);
            Buffer.MemoryCopy(scratch, (void*)pointer, n, n);
            scratch += n;
            produced -= n;
        }
    }

    private Codec CreateCodec() => _decompress ? DeflateEngine.Zlib.CreateDecompressor() : _compressEngine.CreateCompressor();

    private void Recycle(StreamState state)
    {
        if (_spare.Count < MaxSpareStates)
        {
            _spare.Push(state);
        }
        else
        {
            state.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (StreamState state in _streams.Values)
        {
            state.Dispose();
        }

        _streams.Clear();
        while (_spare.Count > 0)
        {
            _spare.Pop().Dispose();
        }

        _block?.Dispose();
        _block = null;
    }

    /// <summary>One stream: its codec, whether the deflate data ended, and the trailer read so far (decompression) or
    /// still to write (compression).</summary>
    private sealed class StreamState(Codec codec) : IDisposable
    {
        public Codec Codec { get; } = codec;

        public bool Ended { get; set; }

        public byte[] Trailer { get; } = new byte[GzipTrailerLength];

        public int TrailerHave { get; set; }

        public int PendingOffset { get; set; }

        public int PendingLength { get; set; }

        public void Start()
        {
            Codec.Reset(CompAlgorithm.Deflate, Level, WindowBits);
            Ended = false;
            TrailerHave = 0;
            PendingOffset = 0;
            PendingLength = 0;
        }

        public void Dispose() => Codec.Dispose();
    }
}
