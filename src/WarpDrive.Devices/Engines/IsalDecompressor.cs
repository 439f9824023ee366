using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Isal;

namespace WarpDrive.Devices.Engines;

internal sealed unsafe class IsalDecompressor : Codec
{
    private byte* _state = (byte*)NativeMemory.AllocZeroed(InflateStateSize);
    private GzipHeaderReader _header;
    private bool _gzip;
    private bool _zlibHeader; // a zlib stream whose CMF byte is still to be checked

    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        isal_inflate_init(_state);
        _gzip = algorithm == CompAlgorithm.Gzip;
        _zlibHeader = algorithm == CompAlgorithm.Zlib;
        _header.Reset();
        *(uint*)(_state + IsCrcFlag) = algorithm switch
        {
            CompAlgorithm.Gzip => ISAL_GZIP_NO_HDR_VER, // the header is ours (GzipHeaderReader), the trailer ISA-L's
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
        int headerBytes = 0;
        if (_zlibHeader && inputLength > 0)
        {
            // ISA-L accepts a window larger than 32 KiB (CINFO > 7), which RFC 1950 forbids and zlib rejects.
            _zlibHeader = false;
            if ((input[0] & 0x0F) != 8 || input[0] >> 4 > 7)
            {
                (consumed, produced, error) = (0, 0, DataErrorKind.InvalidHeader);
                return CodecStatus.DataError;
            }
        }

        if (_gzip && !_header.Done)
        {
            if (!_header.Read(input, inputLength, out headerBytes))
            {
                (consumed, produced, error) = (headerBytes, 0, DataErrorKind.InvalidHeader);
                return CodecStatus.DataError;
            }

            if (!_header.Done)
            {
                (consumed, produced) = (headerBytes, 0);
                if (flush == FlushMode.Finish)
                {
                    error = DataErrorKind.Truncated;
                    return CodecStatus.DataError;
                }

                return CodecStatus.NeedInput;
            }

            input += headerBytes;
            inputLength -= headerBytes;
        }

        CodecStatus status = Inflate(input, inputLength, output, outputLength, flush, out consumed, out produced, out error);
        consumed += headerBytes;
        return status;
    }

    private CodecStatus Inflate(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        error = DataErrorKind.None;
        *(byte**)(_state + IsNextIn) = input;
        *(uint*)(_state + IsAvailIn) = (uint)inputLength;
        *(byte**)(_state + IsNextOut) = output;
        *(uint*)(_state + IsAvailOut) = (uint)outputLength;
        int rc = isal_inflate(_state);
        uint availOut = *(uint*)(_state + IsAvailOut);
        // After a data error ISA-L's counters may run past the buffers it was given (it reads ahead in words): the
        // device reports no more than the request held.
        consumed = Math.Clamp(inputLength - (int)*(uint*)(_state + IsAvailIn), 0, inputLength);
        produced = Math.Clamp(outputLength - (int)availOut, 0, outputLength);
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
