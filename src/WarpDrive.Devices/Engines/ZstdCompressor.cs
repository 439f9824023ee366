using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zstd;

namespace WarpDrive.Devices.Engines;

/// <summary>zstd's streaming compressor (ZSTD_compressStream2) on <typeparamref name="TLibrary"/>: one context, reused
/// across frames. Frames carry a content checksum, as the zstd CLI writes them by default.</summary>
internal sealed unsafe class ZstdCompressor<TLibrary> : Codec
    where TLibrary : IZstdLibrary
{
    /// <summary>zstd's default level, which level 0 stands for.</summary>
    internal const int DefaultLevel = 3;

    private nint _cctx = TLibrary.CreateCCtx();

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        Check(TLibrary.CCtxReset(_cctx, ResetSessionAndParameters));
        Check(TLibrary.CCtxSetParameter(_cctx, CompressionLevel, level == 0 ? DefaultLevel : level));
        Check(TLibrary.CCtxSetParameter(_cctx, ChecksumFlag, 1));
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        ZstdBuffer inBuffer = new() { Data = input, Size = (nuint)inputLength };
        ZstdBuffer outBuffer = new() { Data = output, Size = (nuint)outputLength };
        nuint remaining = Check(TLibrary.CompressStream2(_cctx, &outBuffer, &inBuffer,
            flush switch { FlushMode.Finish => EndEnd, FlushMode.Sync => EndFlush, _ => EndContinue }));
        consumed = (int)inBuffer.Pos;
        produced = (int)outBuffer.Pos;
        return flush switch
        {
            FlushMode.Finish => remaining == 0 ? CodecStatus.StreamEnd : CodecStatus.OutputFull,
            _ when consumed < inputLength || produced == outputLength => CodecStatus.OutputFull,
            FlushMode.Sync when remaining != 0 => CodecStatus.OutputFull,
            _ => CodecStatus.NeedInput,
        };
    }

    /// <summary>A compressor error is the device's own fault (a bad level is refused before): never the data's.</summary>
    private static nuint Check(nuint code) =>
        TLibrary.IsError(code) ? throw new InvalidOperationException($"zstd compression failed: error {TLibrary.ErrorCode(code)}") : code;

    public override void Dispose()
    {
        if (_cctx != 0)
        {
            TLibrary.FreeCCtx(_cctx);
            _cctx = 0;
        }
    }
}
