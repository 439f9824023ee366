namespace WarpDrive.Abi;

/// <summary>Reads one gzip member header (RFC 1952: magic, method, flags, FEXTRA, FNAME, FCOMMENT, FHCRC) that may
/// arrive in pieces of any size, byte by byte if need be. The one set of header rules of both sides: the ZIP model's
/// ISA-L decompressor reads headers with it (ISA-L's own parser miscomputes the FHCRC check when the header is split
/// across calls and accepts reserved flag bits) and has ISA-L inflate the body and verify the trailer; libwd's HiSilicon
/// driver reads them with it off the input before the engine's (the hardware reads no header).</summary>
public unsafe struct GzipHeaderReader
{
    private const byte FlagHeaderCrc = 0x02, FlagExtra = 0x04, FlagName = 0x08, FlagComment = 0x10, ReservedFlags = 0xE0;

    private Stage _stage;
    private int _count;
    private byte _flags;
    private int _extraLength;
    private uint _crc;
    private int _storedCrc;

    private enum Stage
    {
        Fixed,
        ExtraLength,
        Extra,
        Name,
        Comment,
        HeaderCrc,
        Done,
    }

    /// <summary>The whole header has been read.</summary>
    public readonly bool Done => _stage == Stage.Done;

    /// <summary>Starts a new member.</summary>
    public void Reset() => this = default;

    /// <summary>Reads header bytes from <paramref name="input"/>, stopping at the end of the header.</summary>
    /// <param name="input">The next input bytes.</param>
    /// <param name="length">How many there are.</param>
    /// <param name="consumed">How many belonged to the header.</param>
    /// <returns>false when the header is invalid (bad magic, method, reserved flags or header CRC).</returns>
    public bool Read(byte* input, int length, out int consumed)
    {
        int i = 0;
        int hashed = 0; // the bytes of this call that the header CRC covers: all before the CRC field
        bool valid = true;
        while (i < length && _stage != Stage.Done && valid)
        {
            byte b = input[i++];
            if (_stage != Stage.HeaderCrc)
            {
                hashed = i;
            }

            valid = Take(b);
        }

        if (hashed > 0)
        {
            // Always: FLG, which says whether there is a header CRC, comes after bytes the CRC covers.
            _crc = Crc32.Update(_crc, input, hashed);
        }

        if (valid && _stage == Stage.Done && (_flags & FlagHeaderCrc) != 0 && (_crc & 0xFFFF) != _storedCrc)
        {
            valid = false;
        }

        consumed = valid ? i : i - 1;
        return valid;
    }

    private bool Take(byte b)
    {
        switch (_stage)
        {
            case Stage.Fixed:
                if ((_count == 0 && b != 0x1F) || (_count == 1 && b != 0x8B) || (_count == 2 && b != 8)
                    || (_count == 3 && (b & ReservedFlags) != 0))
                {
                    return false;
                }

                if (_count == 3)
                {
                    _flags = b;
                }

                if (++_count == 10)
                {
                    Advance(Stage.Fixed);
                }

                return true;
            case Stage.ExtraLength:
                _extraLength |= b << (8 * _count);
                if (++_count == 2)
                {
                    Advance(_extraLength == 0 ? Stage.Extra : Stage.ExtraLength); // an empty FEXTRA has no data
                }

                return true;
            case Stage.Extra:
                if (++_count == _extraLength)
                {
                    Advance(Stage.Extra);
                }

                return true;
            case Stage.Name or Stage.Comment:
                if (b == 0)
                {
                    Advance(_stage);
                }

                return true;
            default: // HeaderCrc
                _storedCrc |= b << (8 * _count);
                if (++_count == 2)
                {
                    Advance(Stage.HeaderCrc);
                }

                return true;
        }
    }

    /// <summary>Moves past <paramref name="finished"/> to the next field the flags announce.</summary>
    private void Advance(Stage finished)
    {
        _count = 0;
        Stage next = finished + 1;
        while (next != Stage.Done && !Announced(next))
        {
            next++;
        }

        _stage = next;
    }

    private readonly bool Announced(Stage stage) => stage switch
    {
        Stage.ExtraLength => (_flags & FlagExtra) != 0,
        Stage.Extra => _extraLength != 0, // only ever next after ExtraLength
        Stage.Name => (_flags & FlagName) != 0,
        Stage.Comment => (_flags & FlagComment) != 0,
        _ => (_flags & FlagHeaderCrc) != 0,
    };
}
