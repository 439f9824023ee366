using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Lz4;

namespace WarpDrive.Devices.Engines;

/// <summary>liblz4's frame decompressor (LZ4F_decompress): stops at the end of each frame and skips skippable frames.</summary>
internal sealed unsafe class Lz4Decompressor : Codec
{
    private nint _context;

    public Lz4Decompressor()
    {
        nint context;
        nuint rc = CreateDecompressionContext(&context, Interop.Lz4.Version);
        if (IsError(rc) != 0)
        {
            throw new InvalidOperationException("LZ4F_createDecompressionContext failed");
        }

        _context = context;
    }

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits) => ResetDecompressionContext(_context);

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        nuint outLength = (nuint)outputLength;
        nuint inLength = (nuint)inputLength;
        nuint rc = Decompress(_context, output, &outLength, input, &inLength, null);
        consumed = (int)inLength;
        produced = (int)outLength;
        if (IsError(rc) != 0)
        {
            error = Classify(Marshal.PtrToStringUTF8((nint)GetErrorName(rc)));
            ResetDecompressionContext(_context);
            return CodecStatus.DataError;
        }

        if (rc == 0)
        {
            return CodecStatus.StreamEnd;
        }

        return Unfinished(consumed, inputLength, produced, outputLength, flush, out error);
    }

    /// <summary>LZ4F reports errors by name (LZ4F_getErrorName); the names are part of lz4frame.h.</summary>
    internal static DataErrorKind Classify(string? name) => name switch
    {
        "ERROR_frameType_unknown" or "ERROR_headerVersion_wrong" or "ERROR_headerChecksum_invalid" or "ERROR_reservedFlag_set"
            or "ERROR_maxBlockSize_invalid" or "ERROR_frameHeader_incomplete" => DataErrorKind.InvalidHeader,
        "ERROR_contentChecksum_invalid" or "ERROR_blockChecksum_invalid" or "ERROR_frameSize_wrong" => DataErrorKind.ChecksumMismatch,
        "ERROR_dictionaryID_invalid" => DataErrorKind.NeedsDictionary,
        _ => DataErrorKind.InvalidData,
    };

    public override void Dispose()
    {
        if (_context != 0)
        {
            _ = FreeDecompressionContext(_context);
            _context = 0;
        }
    }
}
