using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Lz4;

namespace WarpDrive.Devices.Engines;

/// <summary>liblz4's frame decompressor (LZ4F_decompress): stops at the end of each frame and skips skippable frames.</summary>
internal sealed unsafe class Lz4Decompressor : Codec
{
    private nint _context = Create();
    private bool _inFrame; // a frame begun and not finished: LZ4F_resetDecompressionContext does not clear it all

    private static nint Create()
    {
        nint context;
        nuint rc = CreateDecompressionContext(&context, Interop.Lz4.Version);
        if (IsError(rc) != 0)
        {
            throw new InvalidOperationException("LZ4F_createDecompressionContext failed");
        }

        return context;
    }

    /// <summary>A frame that ended or never began: LZ4F's reset. One abandoned part-way (truncated, corrupt): a fresh
    /// context, since liblz4 1.9.4's reset keeps the frame's remaining content size, and the next frame without a
    /// content size then failed its end check ("frameSize_wrong") for whoever the engine served next (found with the
    /// fuzz corpus: Corpus/lz4/fuzz-df3301552d46 before any valid frame). Only after a data error or a block request
    /// that ran out of room.</summary>
    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        if (_inFrame)
        {
            _ = FreeDecompressionContext(_context);
            _context = 0;
            _context = Create();
            _inFrame = false;
            return;
        }

        ResetDecompressionContext(_context);
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        nuint outLength = (nuint)outputLength;
        nuint inLength = (nuint)inputLength;
        nuint rc = Decompress(_context, output, &outLength, input, &inLength, null);
        consumed = (int)inLength;
        produced = (int)outLength;
        _inFrame |= consumed > 0;
        if (IsError(rc) != 0)
        {
            error = Classify(Marshal.PtrToStringUTF8((nint)GetErrorName(rc)));
            return CodecStatus.DataError; // the next Reset makes a fresh context
        }

        if (rc == 0)
        {
            _inFrame = false;
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
