using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Isal;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class IsalCompressor : Codec
{
    private byte* _zs = (byte*)NativeMemory.AllocZeroed(ZStreamSize);
    private byte* _levelBuf = (byte*)NativeMemory.Alloc(Lvl3BufSize);

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        isal_deflate_init(_zs);
        int isalLevel = IsalEngine.MapLevel(level);
        *(uint*)(_zs + ZsLevel) = (uint)isalLevel;
        *(uint*)(_zs + ZsLevelBufSize) = isalLevel switch { 1 => Lvl1BufSize, 2 => Lvl2BufSize, _ => Lvl3BufSize };
        *(byte**)(_zs + ZsLevelBuf) = _levelBuf;
        *(ushort*)(_zs + ZsGzipFlag) = algorithm switch
        {
            CompAlgorithm.Gzip => IGZIP_GZIP,
            CompAlgorithm.Zlib => IGZIP_ZLIB,
            _ => IGZIP_DEFLATE,
        };
        *(ushort*)(_zs + ZsHistBits) = (ushort)(windowBits >= 15 ? 0 : windowBits);
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        *(byte**)(_zs + ZsNextIn) = input;
        *(uint*)(_zs + ZsAvailIn) = (uint)inputLength;
        *(byte**)(_zs + ZsNextOut) = output;
        *(uint*)(_zs + ZsAvailOut) = (uint)outputLength;
        *(ushort*)(_zs + ZsEndOfStream) = (ushort)(flush == FlushMode.Finish ? 1 : 0);
        *(ushort*)(_zs + ZsFlush) = flush == FlushMode.Sync ? SYNC_FLUSH : NO_FLUSH;
        int rc = isal_deflate(_zs);
        if (rc != COMP_OK)
        {
            throw new InvalidOperationException($"isal_deflate failed: {rc}");
        }

        uint availIn = *(uint*)(_zs + ZsAvailIn);
        uint availOut = *(uint*)(_zs + ZsAvailOut);
        consumed = inputLength - (int)availIn;
        produced = outputLength - (int)availOut;
        if (flush == FlushMode.Finish)
        {
            return *(int*)(_zs + ZsStateState) == ZSTATE_END ? CodecStatus.StreamEnd : CodecStatus.OutputFull;
        }

        return availIn > 0 || availOut == 0 ? CodecStatus.OutputFull : CodecStatus.NeedInput;
    }

    public override void Dispose()
    {
        NativeMemory.Free(_zs);
        NativeMemory.Free(_levelBuf);
        _zs = null;
        _levelBuf = null;
    }
}
