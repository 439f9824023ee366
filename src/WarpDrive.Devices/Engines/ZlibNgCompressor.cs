using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.CompressionNative;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class ZlibNgCompressor : ZlibNgCodec
{
    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        // The shim has no deflateReset: a new stream is a new init (zlib-ng allocates its state in one block).
        End();
        Started(DeflateInit2(Zs, level, Z_DEFLATED, ZlibNgEngine.WindowBits(algorithm, windowBits), DefaultMemLevel, DefaultStrategy));
    }

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
