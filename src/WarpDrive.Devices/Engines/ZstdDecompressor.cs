using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zstd;

namespace WarpDrive.Devices.Engines;

/// <summary>zstd's streaming decompressor (ZSTD_decompressStream) on <typeparamref name="TLibrary"/>. It skips skippable
/// frames itself and stops at the end of each frame (the ZIP stream starts the next one, as with gzip members).</summary>
internal sealed unsafe class ZstdDecompressor<TLibrary> : Codec
    where TLibrary : IZstdLibrary
{
    private nint _dctx = TLibrary.CreateDCtx();

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits) =>
        _ = TLibrary.DCtxReset(_dctx, ResetSessionOnly);

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        ZstdBuffer inBuffer = new() { Data = input, Size = (nuint)inputLength };
        ZstdBuffer outBuffer = new() { Data = output, Size = (nuint)outputLength };
        nuint rc = TLibrary.DecompressStream(_dctx, &outBuffer, &inBuffer);
        consumed = (int)inBuffer.Pos;
        produced = (int)outBuffer.Pos;
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

    private static DataErrorKind Classify(int code) => code switch
    {
        ErrorPrefixUnknown or ErrorVersionUnsupported or ErrorFrameParameterUnsupported or ErrorWindowTooLarge => DataErrorKind.InvalidHeader,
        ErrorChecksumWrong => DataErrorKind.ChecksumMismatch,
        ErrorDictionaryWrong or ErrorDictionaryCorrupted => DataErrorKind.NeedsDictionary,
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
