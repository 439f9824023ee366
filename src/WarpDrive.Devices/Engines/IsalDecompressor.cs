using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Isal;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class IsalDecompressor : Codec
{
    private byte* _state = (byte*)NativeMemory.AllocZeroed(InflateStateSize);

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        isal_inflate_init(_state);
        *(uint*)(_state + IsCrcFlag) = algorithm switch
        {
            CompAlgorithm.Gzip => ISAL_GZIP,
            CompAlgorithm.Zlib => ISAL_ZLIB,
            _ => ISAL_DEFLATE,
        };
        // Decompression always allows the full 32 KiB window: the stream, not the caller, says how far back it refers.
        *(uint*)(_state + IsHistBits) = 0;
    }

    public override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        *(byte**)(_state + IsNextIn) = input;
        *(uint*)(_state + IsAvailIn) = (uint)inputLength;
        *(byte**)(_state + IsNextOut) = output;
        *(uint*)(_state + IsAvailOut) = (uint)outputLength;
        int rc = isal_inflate(_state);
        uint availOut = *(uint*)(_state + IsAvailOut);
        consumed = inputLength - (int)*(uint*)(_state + IsAvailIn);
        produced = outputLength - (int)availOut;
        if (rc < 0 || rc == ISAL_NEED_DICT)
        {
            error = rc switch
            {
                ISAL_NEED_DICT => DataErrorKind.NeedsDictionary,
                ISAL_INVALID_WRAPPER or ISAL_UNSUPPORTED_METHOD => DataErrorKind.InvalidHeader,
                ISAL_INCORRECT_CHECKSUM => DataErrorKind.ChecksumMismatch,
                _ => DataErrorKind.InvalidData,
            };
            return CodecStatus.DataError;
        }

        if (*(int*)(_state + IsBlockState) == ISAL_BLOCK_FINISH)
        {
            return CodecStatus.StreamEnd;
        }

        if (availOut == 0)
        {
            return CodecStatus.OutputFull;
        }

        if (flush == FlushMode.Finish)
        {
            error = DataErrorKind.Truncated;
            return CodecStatus.DataError;
        }

        return CodecStatus.NeedInput;
    }

    public override void Dispose()
    {
        NativeMemory.Free(_state);
        _state = null;
    }
}
