using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    /// <summary>The reference zstd library (Debian libzstd1, libzstd.so.1): its stable streaming API (zstd.h, v1.4+).</summary>
    internal static partial class Zstd
    {
        internal const string Name = "libzstd.so.1";

        /// <summary>ZSTD_inBuffer and ZSTD_outBuffer (same layout): the buffer, its size and the position reached.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct ZstdBuffer
        {
            internal byte* Data;
            internal nuint Size;
            internal nuint Pos;
        }

        // ZSTD_ResetDirective, ZSTD_EndDirective, ZSTD_cParameter
        internal const int ResetSessionOnly = 1, ResetSessionAndParameters = 3;
        internal const int EndContinue = 0, EndFlush = 1, EndEnd = 2;
        internal const int CompressionLevel = 100, ChecksumFlag = 201;

        // ZSTD_ErrorCode (zstd_errors.h)
        internal const int ErrorPrefixUnknown = 10, ErrorVersionUnsupported = 12, ErrorFrameParameterUnsupported = 14,
            ErrorWindowTooLarge = 16, ErrorCorruption = 20, ErrorChecksumWrong = 22, ErrorLiteralsHeaderWrong = 24,
            ErrorDictionaryCorrupted = 30, ErrorDictionaryWrong = 32, ErrorMemoryAllocation = 64,
            ErrorNoProgressDestFull = 80, ErrorNoProgressInputEmpty = 82;
    }
}
