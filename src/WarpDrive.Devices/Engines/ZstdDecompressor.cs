using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zstd;

namespace WarpDrive.Devices.Engines;

/// <summary>zstd's streaming decompressor (ZSTD_decompressStream) on <typeparamref name="TLibrary"/>. It skips skippable
/// frames itself and stops at the end of each frame (the ZIP stream starts the next one, as with gzip members). It reads
/// the frames of RFC 8878 only: a frame that starts with a legacy magic (zstd v0.1 to v0.7, before the format was
/// frozen) is DATA_ERROR/invalid header on both engines, where Debian's libzstd would decode it (built with legacy
/// support) and ZstdSharp would not.</summary>
internal sealed unsafe class ZstdDecompressor<TLibrary> : Codec
    where TLibrary : IZstdLibrary
{
    private nint _dctx = TLibrary.CreateDCtx();
    private ZstdDictionaryCache _dictionary;
    private uint _magic; // the frame's first bytes, little-endian, as far as the library has consumed them
    private int _magicLength;

    /// <summary>Whether <paramref name="magic"/> is a legacy zstd magic: v0.1 (0x1EB52FFD) or v0.2 to v0.7
    /// (0xFD2FB522 to 0xFD2FB527; RFC 8878's is 0xFD2FB528).</summary>
    internal static bool IsLegacyMagic(uint magic) => magic is 0x1EB52FFD or (>= 0xFD2FB522 and <= 0xFD2FB527);

    /// <summary>The next frame of the same stream (the ZIP stream's multi-frame reset): the dictionary stays.</summary>
    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        _ = TLibrary.DCtxReset(_dctx, ResetSessionOnly);
        _magic = 0;
        _magicLength = 0;
    }

    public override DataErrorKind Reset(CompAlgorithm algorithm, int level, int windowBits, ReadOnlySpan<byte> dictionary)
    {
        Reset(algorithm, level, windowBits);
        if (_dictionary.Holds(dictionary, 0) || (dictionary.IsEmpty && !_dictionary.IsSet))
        {
            return DataErrorKind.None;
        }

        _dictionary.Forget();
        fixed (byte* d = dictionary)
        {
            // An empty dictionary (null, 0) drops the one loaded before. zstd digests a dictionary here, and reports
            // tables that do not parse as a failed allocation (ZSTD_createDDict_advanced returned null): the client's.
            nuint rc = TLibrary.DCtxLoadDictionary(_dctx, d, (nuint)dictionary.Length);
            if (TLibrary.IsError(rc))
            {
                _ = TLibrary.DCtxReset(_dctx, ResetSessionAndParameters);
                return DataErrorKind.BadDictionary;
            }
        }

        _dictionary.Remember(dictionary, 0);
        return DataErrorKind.None;
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        if (StartsLegacyFrame(input, inputLength))
        {
            consumed = produced = 0;
            error = DataErrorKind.InvalidHeader;
            return CodecStatus.DataError;
        }

        error = DataErrorKind.None;
        ZstdBuffer inBuffer = new() { Data = input, Size = (nuint)inputLength };
        ZstdBuffer outBuffer = new() { Data = output, Size = (nuint)outputLength };
        nuint rc = TLibrary.DecompressStream(_dctx, &outBuffer, &inBuffer);
        consumed = (int)inBuffer.Pos;
        produced = (int)outBuffer.Pos;
        for (int i = 0; _magicLength < 4 && i < consumed; i++)
        {
            _magic |= (uint)input[i] << (8 * _magicLength++);
        }
        if (TLibrary.IsError(rc))
        {
            int code = TLibrary.ErrorCode(rc);
            switch (code)
            {
                case ErrorNoProgressDestFull:
                    return CodecStatus.OutputFull;
                case ErrorNoProgressInputEmpty:
                    break; // called again with nothing new: the same as needing input
                default:
                    _ = TLibrary.DCtxReset(_dctx, ResetSessionOnly); // the context is unusable after an error
                    error = Classify(code);
                    return CodecStatus.DataError;
            }
        }
        else if (rc == 0)
        {
            return CodecStatus.StreamEnd; // a frame decoded, checked and flushed
        }

        return Unfinished(consumed, inputLength, produced, outputLength, flush, out error);
    }

    /// <summary>Whether the frame's magic, with what <paramref name="input"/> adds to the bytes already consumed, is a
    /// legacy one (checked before the library sees it: the magic may come a byte per request).</summary>
    private bool StartsLegacyFrame(byte* input, int inputLength)
    {
        if (_magicLength >= 4)
        {
            return false;
        }

        uint magic = _magic;
        int length = _magicLength;
        for (int i = 0; length < 4 && i < inputLength; i++)
        {
            magic |= (uint)input[i] << (8 * length++);
        }

        return length == 4 && IsLegacyMagic(magic);
    }

    private static DataErrorKind Classify(int code) => code switch
    {
        ErrorPrefixUnknown or ErrorVersionUnsupported or ErrorFrameParameterUnsupported or ErrorWindowTooLarge => DataErrorKind.InvalidHeader,
        ErrorChecksumWrong => DataErrorKind.ChecksumMismatch,
        ErrorDictionaryWrong => DataErrorKind.NeedsDictionary,
        ErrorDictionaryCorrupted => DataErrorKind.BadDictionary,
        ErrorMemoryAllocation => throw new InvalidOperationException("zstd could not allocate its decompression context"),
        _ => DataErrorKind.InvalidData,
    };

    public override void Dispose()
    {
        if (_dctx != 0)
        {
            TLibrary.FreeDCtx(_dctx);
            _dctx = 0;
        }
    }
}
