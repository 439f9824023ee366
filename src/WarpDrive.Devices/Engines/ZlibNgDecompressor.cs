using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.CompressionNative;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class ZlibNgDecompressor : Codec
{
    private ZStream _zs;
    private bool _initialized;

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        End();
        fixed (ZStream* zs = &_zs)
        {
            // Always the full window: the stream decides how far back it refers.
            int rc = InflateInit2(zs, ZlibNgEngine.WindowBits(algorithm, 15));
            if (rc != Z_OK)
            {
                throw new InvalidOperationException($"inflateInit2 failed: {rc}");
            }
        }

        _initialized = true;
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        _zs.NextIn = input;
        _zs.AvailIn = (uint)inputLength;
        _zs.NextOut = output;
        _zs.AvailOut = (uint)outputLength;
        int rc;
        fixed (ZStream* zs = &_zs)
        {
            rc = Inflate(zs, Z_NO_FLUSH);
        }

        consumed = inputLength - (int)_zs.AvailIn;
        produced = outputLength - (int)_zs.AvailOut;
        switch (rc)
        {
            case Z_STREAM_END:
                return CodecStatus.StreamEnd;
            case Z_OK or Z_BUF_ERROR:
                if (_zs.AvailOut == 0)
                {
                    return CodecStatus.OutputFull;
                }

                if (flush == FlushMode.Finish)
                {
                    error = DataErrorKind.Truncated;
                    return CodecStatus.DataError;
                }

                return CodecStatus.NeedInput;
            case Z_NEED_DICT:
                error = DataErrorKind.NeedsDictionary;
                return CodecStatus.DataError;
            case Z_DATA_ERROR:
                error = Classify(_zs.Msg == null ? null : Marshal.PtrToStringUTF8((nint)_zs.Msg));
                return CodecStatus.DataError;
            default:
                throw new InvalidOperationException($"inflate failed: {rc}");
        }
    }

    /// <summary>zlib reports data errors as text; these are its messages for header and trailer faults.</summary>
    private static DataErrorKind Classify(string? message) => message switch
    {
        "incorrect header check" or "unknown compression method" or "invalid window size" or "unknown header flags set"
            or "header crc mismatch" => DataErrorKind.InvalidHeader,
        "incorrect data check" or "incorrect length check" => DataErrorKind.ChecksumMismatch,
        _ => DataErrorKind.InvalidData,
    };

    private void End()
    {
        if (_initialized)
        {
            fixed (ZStream* zs = &_zs)
            {
                _ = InflateEnd(zs);
            }

            _initialized = false;
        }
    }

    public override void Dispose() => End();
}
