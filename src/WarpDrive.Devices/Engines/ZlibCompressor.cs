using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zlib;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class ZlibCompressor : ZlibCodec
{
    protected override int InitNative(ZStream* stream, CompAlgorithm algorithm, int level, int windowBits, byte* version, int streamSize) =>
        DeflateInit2(stream, level, Z_DEFLATED, ZlibEngine.WindowBits(algorithm, windowBits), DefaultMemLevel, DefaultStrategy, version, streamSize);

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        SetBuffers(input, inputLength, output, outputLength);
        int rc = Deflate(Zs, flush switch { FlushMode.Finish => Z_FINISH, FlushMode.Sync => Z_SYNC_FLUSH, _ => Z_NO_FLUSH });
        Counts(inputLength, outputLength, out consumed, out produced);
        if (rc == Z_STREAM_END)
        {
            return CodecStatus.StreamEnd;
        }

        if (rc != Z_OK && rc != Z_BUF_ERROR)
        {
            throw new InvalidOperationException($"deflate failed: {rc}");
        }

        return flush == FlushMode.Finish || Zs->AvailIn > 0 || Zs->AvailOut == 0 ? CodecStatus.OutputFull : CodecStatus.NeedInput;
    }

    protected override int EndNative(ZStream* stream) => DeflateEnd(stream);
}
