using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zstd;

namespace WarpDrive.Devices.Engines;

/// <summary>zstd's streaming decompressor (ZSTD_decompressStream) on <typeparamref name="TLibrary"/>. It skips skippable
/// frames itself and stops at the end of each frame (the ZIP stream starts the next one, as with gzip members). It reads
/// the frames of RFC 8878 only, and checks what libzstd 1.5.4 and ZstdSharp do not both check (<see cref="ZstdFrameStart"/>):
/// a legacy magic is DATA_ERROR/invalid header, a frame that ends short of or past its declared content size
/// DATA_ERROR/invalid data, on both engines.</summary>
internal sealed unsafe class ZstdDecompressor<TLibrary> : Codec
    where TLibrary : IZstdLibrary
{
    private nint _dctx = TLibrary.CreateDCtx();
    private ZstdDictionaryCache _dictionary;
    private ZstdFrameStart _frame;
    private ulong _frameOutput; // bytes the current frame has decoded

    /// <summary>The next frame of the same stream (the ZIP stream's multi-frame reset): the dictionary stays.</summary>
    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        _ = TLibrary.DCtxReset(_dctx, ResetSessionOnly);
        _frame.Clear();
        _frameOutput = 0;
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
        if (_frame.StartsLegacyFrame(input, inputLength))
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
        _frame.Append(input, consumed);
        _frameOutput += (ulong)produced;

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
            if (_frame.TryGetContentSize(out ulong declared) && declared != _frameOutput)
            {
                error = DataErrorKind.InvalidData;
                return CodecStatus.DataError;
            }

            return CodecStatus.StreamEnd; // a frame decoded, checked and flushed
        }

        return Unfinished(consumed, inputLength, produced, outputLength, flush, out error);
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
