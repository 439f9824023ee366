using System.Buffers.Binary;

namespace WarpDrive.Devices.Engines;

/// <summary>The first bytes of the zstd frame being decoded (up to its longest header, 18 bytes), gathered as the library
/// consumes them, whatever the pieces: what <see cref="ZstdDecompressor{TLibrary}"/> checks itself. A legacy magic
/// (zstd v0.1 to v0.7, before the format was frozen: Debian's libzstd decodes them, ZstdSharp does not) is refused on
/// both engines; and a frame whose header declares a content size must end with that many bytes (libzstd 1.5.4 let a
/// frame through whose last, empty block header came in a later request than the frame header: the AFL++ run found
/// it, Corpus/zstd/fuzz-content-size-empty-last-block).</summary>
internal unsafe struct ZstdFrameStart
{
    private const int MaxHeader = 18; // magic 4, descriptor 1, window 1, dictionary id 4, content size 8
    private const uint Magic = 0xFD2FB528;

    private fixed byte _bytes[MaxHeader];
    private int _length;

    /// <summary>Whether <paramref name="magic"/> is a legacy zstd magic: v0.1 (0x1EB52FFD) or v0.2 to v0.7
    /// (0xFD2FB522 to 0xFD2FB527; RFC 8878's is 0xFD2FB528).</summary>
    public static bool IsLegacyMagic(uint magic) => magic is 0x1EB52FFD or (>= 0xFD2FB522 and <= 0xFD2FB527);

    /// <summary>A new frame begins.</summary>
    public void Clear() => _length = 0;

    /// <summary>Keeps what the library consumed of <paramref name="input"/>, as far as the header goes.</summary>
    public void Append(byte* input, int consumed)
    {
        for (int i = 0; _length < MaxHeader && i < consumed; i++)
        {
            _bytes[_length++] = input[i];
        }
    }

    /// <summary>Whether the magic, with what <paramref name="input"/> adds to the bytes consumed so far, is a legacy one
    /// (asked before the library sees the input).</summary>
    public readonly bool StartsLegacyFrame(byte* input, int inputLength)
    {
        if (_length >= 4)
        {
            return false;
        }

        uint magic = 0;
        int length = 0;
        for (; length < _length; length++)
        {
            magic |= (uint)_bytes[length] << (8 * length);
        }

        for (int i = 0; length < 4 && i < inputLength; i++, length++)
        {
            magic |= (uint)input[i] << (8 * length);
        }

        return length == 4 && IsLegacyMagic(magic);
    }

    /// <summary>The content size the frame's header declares; false for a frame that declares none, and for a skippable
    /// frame.</summary>
    public readonly bool TryGetContentSize(out ulong size)
    {
        size = 0;
        if (_length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(Bytes(0, 4)) != Magic)
        {
            return false;
        }

        int descriptor = _bytes[4];
        bool singleSegment = (descriptor & 0x20) != 0;
        int position = 5 + (singleSegment ? 0 : 1) + (descriptor & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        int fieldSize = (descriptor >> 6) switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        if (fieldSize == 0 || _length < position + fieldSize)
        {
            return false;
        }

        ReadOnlySpan<byte> field = Bytes(position, fieldSize);
        size = fieldSize switch
        {
            1 => field[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(field) + 256u,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(field),
        };
        return true;
    }

    private readonly ReadOnlySpan<byte> Bytes(int start, int length)
    {
        fixed (byte* bytes = _bytes)
        {
            return new ReadOnlySpan<byte>(bytes + start, length);
        }
    }
}
