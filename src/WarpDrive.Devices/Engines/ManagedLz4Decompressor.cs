using System.IO.Hashing;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>The LZ4 frame format read in C# over K4os's block decoder: any input split, linked or independent blocks,
/// block and content checksums, skippable frames; stops at the end of each frame. A block is gathered whole before it
/// is decoded, and its output drained across requests.</summary>
internal sealed unsafe class ManagedLz4Decompressor : Codec
{
    private enum Stage
    {
        Magic,
        SkipLength,
        Skip,
        Descriptor,
        BlockSize,
        BlockData,
        ContentChecksum,
        Done,
    }

    private readonly XxHash32 _contentHash = new();
    private readonly byte[] _field = new byte[16];
    private int _fieldLength;
    private Stage _stage;
    private int _flags;
    private int _blockMax;
    private ulong _contentSize;
    private ulong _decodedTotal;
    private long _remaining; // bytes of the skippable frame or block still to read
    private uint _blockHeader;

    private byte* _block; // the compressed block (and its checksum) being gathered
    private int _blockLength;
    private byte* _decoded; // the last block's output, drained from _drained to _decodedLength
    private int _decodedLength;
    private int _drained;
    private int _capacity;
    private byte* _history = (byte*)NativeMemory.Alloc(Lz4Frame.WindowSize);
    private int _historyLength;

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        _stage = Stage.Magic;
        _fieldLength = 0;
        _decodedLength = _drained = _historyLength = 0;
        _decodedTotal = 0;
        _contentHash.Reset();
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        consumed = 0;
        produced = 0;
        while (true)
        {
            int n = Math.Min(_decodedLength - _drained, outputLength - produced);
            Buffer.MemoryCopy(_decoded + _drained, output + produced, n, n);
            _drained += n;
            produced += n;
            if (_drained < _decodedLength)
            {
                return CodecStatus.OutputFull;
            }

            if (_stage == Stage.Done)
            {
                return CodecStatus.StreamEnd;
            }

            if (consumed == inputLength)
            {
                if (flush == FlushMode.Finish)
                {
                    error = DataErrorKind.Truncated;
                    return CodecStatus.DataError;
                }

                return CodecStatus.NeedInput;
            }

            error = Step(input, inputLength, ref consumed);
            if (error != DataErrorKind.None)
            {
                _stage = Stage.Done;
                return CodecStatus.DataError;
            }
        }
    }

    /// <summary>Reads what the current stage needs from the input; a completed block is decoded.</summary>
    private DataErrorKind Step(byte* input, int inputLength, ref int consumed)
    {
        switch (_stage)
        {
            case Stage.Magic:
                if (!Collect(input, inputLength, ref consumed, 4))
                {
                    return DataErrorKind.None;
                }

                uint magic = Lz4Frame.ReadUInt32(_field);
                _fieldLength = 0;
                if (magic == Lz4Frame.Magic)
                {
                    _stage = Stage.Descriptor;
                    return DataErrorKind.None;
                }

                if ((magic & Lz4Frame.SkippableMask) == Lz4Frame.SkippableMagic)
                {
                    _stage = Stage.SkipLength;
                    return DataErrorKind.None;
                }

                return DataErrorKind.InvalidHeader;
            case Stage.SkipLength:
                if (Collect(input, inputLength, ref consumed, 4))
                {
                    _remaining = Lz4Frame.ReadUInt32(_field);
                    _fieldLength = 0;
                    _stage = _remaining == 0 ? Stage.Done : Stage.Skip;
                }

                return DataErrorKind.None;
            case Stage.Skip:
                int skip = (int)Math.Min(_remaining, inputLength - consumed);
                consumed += skip;
                _remaining -= skip;
                if (_remaining == 0)
                {
                    _stage = Stage.Done;
                }

                return DataErrorKind.None;
            case Stage.Descriptor:
                return ReadDescriptor(input, inputLength, ref consumed);
            case Stage.BlockSize:
                if (!Collect(input, inputLength, ref consumed, 4))
                {
                    return DataErrorKind.None;
                }

                _blockHeader = Lz4Frame.ReadUInt32(_field);
                _fieldLength = 0;
                if (_blockHeader == 0)
                {
                    if ((_flags & Lz4Frame.ContentSize) != 0 && _contentSize != _decodedTotal)
                    {
                        return DataErrorKind.ChecksumMismatch;
                    }

                    _stage = (_flags & Lz4Frame.ContentChecksum) != 0 ? Stage.ContentChecksum : Stage.Done;
                    return DataErrorKind.None;
                }

                int size = (int)(_blockHeader & ~Lz4Frame.Uncompressed);
                if (size > _blockMax)
                {
                    return DataErrorKind.InvalidData;
                }

                _remaining = size + ((_flags & Lz4Frame.BlockChecksum) != 0 ? 4 : 0);
                _blockLength = 0;
                _stage = Stage.BlockData;
                return _remaining == 0 ? DecodeBlock() : DataErrorKind.None;
            case Stage.BlockData:
                int take = (int)Math.Min(_remaining, inputLength - consumed);
                Buffer.MemoryCopy(input + consumed, _block + _blockLength, take, take);
                _blockLength += take;
                consumed += take;
                _remaining -= take;
                return _remaining == 0 ? DecodeBlock() : DataErrorKind.None;
            case Stage.ContentChecksum:
                if (!Collect(input, inputLength, ref consumed, 4))
                {
                    return DataErrorKind.None;
                }

                _fieldLength = 0;
                _stage = Stage.Done;
                return Lz4Frame.ReadUInt32(_field) == _contentHash.GetCurrentHashAsUInt32() ? DataErrorKind.None : DataErrorKind.ChecksumMismatch;
            default:
                return DataErrorKind.None;
        }
    }

    private DataErrorKind ReadDescriptor(byte* input, int inputLength, ref int consumed)
    {
        if (!Collect(input, inputLength, ref consumed, 2))
        {
            return DataErrorKind.None;
        }

        int flags = _field[0];
        if ((flags & Lz4Frame.VersionMask) != Lz4Frame.Version || (flags & Lz4Frame.Reserved) != 0 || Lz4Frame.BlockMaxSize(_field[1]) < 0)
        {
            return DataErrorKind.InvalidHeader;
        }

        int length = 2 + ((flags & Lz4Frame.ContentSize) != 0 ? 8 : 0) + ((flags & Lz4Frame.DictionaryId) != 0 ? 4 : 0);
        if (!Collect(input, inputLength, ref consumed, length + 1))
        {
            return DataErrorKind.None;
        }

        _fieldLength = 0;
        if (Lz4Frame.HeaderChecksum(_field.AsSpan(0, length)) != _field[length])
        {
            return DataErrorKind.InvalidHeader;
        }

        if ((flags & Lz4Frame.DictionaryId) != 0)
        {
            return DataErrorKind.NeedsDictionary;
        }

        _flags = flags;
        _blockMax = Lz4Frame.BlockMaxSize(_field[1]);
        _contentSize = (flags & Lz4Frame.ContentSize) != 0 ? BitConverter.ToUInt64(_field, 2) : 0;
        EnsureCapacity(_blockMax);
        _stage = Stage.BlockSize;
        return DataErrorKind.None;
    }

    private DataErrorKind DecodeBlock()
    {
        int size = (int)(_blockHeader & ~Lz4Frame.Uncompressed);
        if ((_flags & Lz4Frame.BlockChecksum) != 0
            && XxHash32.HashToUInt32(new ReadOnlySpan<byte>(_block, size)) != Lz4Frame.ReadUInt32(new ReadOnlySpan<byte>(_block + size, 4)))
        {
            return DataErrorKind.ChecksumMismatch;
        }

        int decoded;
        if ((_blockHeader & Lz4Frame.Uncompressed) != 0)
        {
            Buffer.MemoryCopy(_block, _decoded, size, size);
            decoded = size;
        }
        else
        {
            bool linked = (_flags & Lz4Frame.BlockIndependence) == 0;
            decoded = LZ4Codec.Decode(_block, size, _decoded, _blockMax, _history, linked ? _historyLength : 0);
            if (decoded < 0)
            {
                return DataErrorKind.InvalidData;
            }
        }

        _decodedLength = decoded;
        _drained = 0;
        _decodedTotal += (ulong)decoded;
        _contentHash.Append(new ReadOnlySpan<byte>(_decoded, decoded));
        KeepHistory(decoded);
        _stage = Stage.BlockSize;
        return DataErrorKind.None;
    }

    /// <summary>The last 64 KiB of output, the dictionary of the next linked block.</summary>
    private void KeepHistory(int decoded)
    {
        if (decoded >= Lz4Frame.WindowSize)
        {
            Buffer.MemoryCopy(_decoded + decoded - Lz4Frame.WindowSize, _history, Lz4Frame.WindowSize, Lz4Frame.WindowSize);
            _historyLength = Lz4Frame.WindowSize;
            return;
        }

        int keep = Math.Min(_historyLength, Lz4Frame.WindowSize - decoded);
        Buffer.MemoryCopy(_history + _historyLength - keep, _history, keep, keep);
        Buffer.MemoryCopy(_decoded, _history + keep, decoded, decoded);
        _historyLength = keep + decoded;
    }

    /// <summary>Gathers header bytes into <see cref="_field"/> until it holds <paramref name="need"/>.</summary>
    private bool Collect(byte* input, int inputLength, ref int consumed, int need)
    {
        int n = Math.Max(0, Math.Min(need - _fieldLength, inputLength - consumed));
        new ReadOnlySpan<byte>(input + consumed, n).CopyTo(_field.AsSpan(_fieldLength));
        _fieldLength += n;
        consumed += n;
        // At least, not exactly: the descriptor asks for its first 2 bytes again once it holds more of itself (a
        // descriptor split over three or more requests), and "== 2" then looped the engine forever on that request.
        return _fieldLength >= need;
    }

    private void EnsureCapacity(int blockMax)
    {
        if (_capacity < blockMax)
        {
            NativeMemory.Free(_block);
            NativeMemory.Free(_decoded);
            _block = (byte*)NativeMemory.Alloc((nuint)blockMax + 4);
            _decoded = (byte*)NativeMemory.Alloc((nuint)blockMax);
            _capacity = blockMax;
        }
    }

    public override void Dispose()
    {
        NativeMemory.Free(_block);
        NativeMemory.Free(_decoded);
        NativeMemory.Free(_history);
        _block = _decoded = _history = null;
    }
}
