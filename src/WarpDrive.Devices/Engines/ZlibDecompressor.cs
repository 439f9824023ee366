using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zlib;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class ZlibDecompressor : ZlibCodec
{
    // Always the full window: the stream decides how far back it refers.
    protected override int InitNative(ZStream* stream, CompAlgorithm algorithm, int level, int windowBits, byte* version, int streamSize) =>
        InflateInit2(stream, ZlibEngine.WindowBits(algorithm, 15), version, streamSize);

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        SetBuffers(input, inputLength, output, outputLength);
        int rc = Inflate(Zs, Z_NO_FLUSH);
        Counts(inputLength, outputLength, out consumed, out produced);
        switch (rc)
        {
            case Z_STREAM_END:
                return CodecStatus.StreamEnd;
            case Z_OK or Z_BUF_ERROR:
                if (Zs->AvailOut == 0)
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
                error = Classify(Zs->Msg == null ? null : Marshal.PtrToStringUTF8((nint)Zs->Msg));
                return CodecStatus.DataError;
            default:
                throw new InvalidOperationException($"inflate failed: {rc}");
        }
    }

    protected override int EndNative(ZStream* stream) => InflateEnd(stream);

    /// <summary>zlib reports data errors as text; these are its messages for header and trailer faults.</summary>
    private static DataErrorKind Classify(string? message) => message switch
    {
        "incorrect header check" or "unknown compression method" or "invalid window size" or "unknown header flags set"
            or "header crc mismatch" => DataErrorKind.InvalidHeader,
        "incorrect data check" or "incorrect length check" => DataErrorKind.ChecksumMismatch,
        _ => DataErrorKind.InvalidData,
    };
}
