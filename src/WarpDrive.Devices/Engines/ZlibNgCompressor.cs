using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.CompressionNative;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class ZlibNgCompressor : Codec
{
    private ZStream _zs;
    private bool _initialized;

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        End();
        fixed (ZStream* zs = &_zs)
        {
            // The shim has no deflateReset: a new stream is a new init (zlib-ng allocates its state in one block).
            int rc = DeflateInit2(zs, level, Z_DEFLATED, ZlibNgEngine.WindowBits(algorithm, windowBits), DefaultMemLevel, DefaultStrategy);
            if (rc != Z_OK)
            {
                throw new InvalidOperationException($"deflateInit2 failed: {rc}");
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
            rc = Deflate(zs, flush switch { FlushMode.Finish => Z_FINISH, FlushMode.Sync => Z_SYNC_FLUSH, _ => Z_NO_FLUSH });
        }

        consumed = inputLength - (int)_zs.AvailIn;
        produced = outputLength - (int)_zs.AvailOut;
        if (rc == Z_STREAM_END)
        {
            return CodecStatus.StreamEnd;
        }

        if (rc != Z_OK && rc != Z_BUF_ERROR)
        {
            throw new InvalidOperationException($"deflate failed: {rc}");
        }

        return flush == FlushMode.Finish || _zs.AvailIn > 0 || _zs.AvailOut == 0 ? CodecStatus.OutputFull : CodecStatus.NeedInput;
    }

    private void End()
    {
        if (_initialized)
        {
            fixed (ZStream* zs = &_zs)
            {
                _ = DeflateEnd(zs);
            }

            _initialized = false;
        }
    }

    public override void Dispose() => End();
}
