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
    private ZstdDictionaryCache _dictionary;

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits) => Reset(algorithm, level, windowBits, default);

    public override DataErrorKind Reset(CompAlgorithm algorithm, int level, int windowBits, ReadOnlySpan<byte> dictionary)
    {
        int effective = level == 0 ? DefaultLevel : level;
        if (_dictionary.Holds(dictionary, effective))
        {
            // The same dictionary at the same level: a new frame on the tables zstd built from it for the last one.
            Check(TLibrary.CCtxReset(_cctx, ResetSessionOnly));
            return DataErrorKind.None;
        }

        Check(TLibrary.CCtxReset(_cctx, ResetSessionAndParameters)); // also drops a dictionary loaded before
        _dictionary.Forget();
        Check(TLibrary.CCtxSetParameter(_cctx, CompressionLevel, effective));
        Check(TLibrary.CCtxSetParameter(_cctx, ChecksumFlag, 1));
        if (!dictionary.IsEmpty)
        {
            fixed (byte* d = dictionary)
            {
                Check(TLibrary.CCtxLoadDictionary(_cctx, d, (nuint)dictionary.Length)); // a copy: the client's may change
            }

            _dictionary.Remember(dictionary, effective);
        }

        return DataErrorKind.None;
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        ZstdBuffer inBuffer = new() { Data = input, Size = (nuint)inputLength };
        ZstdBuffer outBuffer = new() { Data = output, Size = (nuint)outputLength };
        nuint remaining = TLibrary.CompressStream2(_cctx, &outBuffer, &inBuffer,
            flush switch { FlushMode.Finish => EndEnd, FlushMode.Sync => EndFlush, _ => EndContinue });
        consumed = (int)inBuffer.Pos;
        produced = (int)outBuffer.Pos;
        if (TLibrary.IsError(remaining) && _dictionary.IsSet && TLibrary.ErrorCode(remaining) is ErrorDictionaryCorrupted or ErrorMemoryAllocation)
        {
            // zstd digests a dictionary when the first frame starts, and reports tables that do not parse as a failed
            // allocation (ZSTD_initLocalDict: "ZSTD_createCDict_advanced failed"): the client's dictionary, not the device.
            _dictionary.Forget();
            _ = TLibrary.CCtxReset(_cctx, ResetSessionAndParameters);
            error = DataErrorKind.BadDictionary;
            return CodecStatus.DataError;
        }

        Check(remaining);
        return flush switch
        {
            FlushMode.Finish => remaining == 0 ? CodecStatus.StreamEnd : CodecStatus.OutputFull,
            _ when consumed < inputLength || produced == outputLength => CodecStatus.OutputFull,
            FlushMode.Sync when remaining != 0 => CodecStatus.OutputFull,
            _ => CodecStatus.NeedInput,
        };
    }

    /// <summary>A compressor error other than a corrupt dictionary is the device's own fault (a bad level is refused
    /// before): never the data's.</summary>
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
