namespace WarpDrive.Devices;

internal static partial class Interop
{
    /// <summary>ISA-L's igzip (Debian libisal2, libisal.so.2). Offsets below are from igzip_lib.h of ISA-L 2.30
    /// on x86_64 (the library's ABI is stable across libisal.so.2); docs/ARCHITECTURE.md lists them.</summary>
    internal static partial class Isal
    {
        internal const string Name = "libisal.so.2";

        // struct isal_zstream (82384 bytes)
        internal const int ZStreamSize = 82384;
        internal const int ZsNextIn = 0, ZsAvailIn = 8, ZsTotalIn = 12, ZsNextOut = 16, ZsAvailOut = 24, ZsTotalOut = 28;
        internal const int ZsLevel = 40, ZsLevelBufSize = 44, ZsLevelBuf = 48;
        internal const int ZsEndOfStream = 56, ZsFlush = 58, ZsGzipFlag = 60, ZsHistBits = 62;
        internal const int ZsInternalState = 64, ZsStateState = 84;

        // struct inflate_state (87368 bytes)
        internal const int InflateStateSize = 87368;
        internal const int IsNextOut = 0, IsAvailOut = 8, IsTotalOut = 12, IsNextIn = 16, IsAvailIn = 32;
        internal const int IsBlockState = 21160, IsCrcFlag = 21172, IsCrc = 21176, IsHistBits = 21180;

        internal const int ZSTATE_END = 11;
        internal const int ISAL_BLOCK_FINISH = 5;

        internal const ushort NO_FLUSH = 0, SYNC_FLUSH = 1;
        internal const ushort IGZIP_DEFLATE = 0, IGZIP_GZIP = 1, IGZIP_ZLIB = 3;
        internal const uint ISAL_DEFLATE = 0, ISAL_GZIP = 1, ISAL_ZLIB = 3, ISAL_GZIP_NO_HDR_VER = 6;

        internal const int COMP_OK = 0;
        internal const int ISAL_DECOMP_OK = 0, ISAL_END_INPUT = 1, ISAL_OUT_OVERFLOW = 2, ISAL_NEED_DICT = 6;
        internal const int ISAL_INVALID_BLOCK = -1, ISAL_INVALID_SYMBOL = -2, ISAL_INVALID_LOOKBACK = -3;
        internal const int ISAL_INVALID_WRAPPER = -4, ISAL_UNSUPPORTED_METHOD = -5, ISAL_INCORRECT_CHECKSUM = -6;

        // Level buffer sizes: ISAL_DEF_LVLn_DEFAULT. Level 0 needs none.
        internal const int Lvl1BufSize = 282624, Lvl2BufSize = 331776, Lvl3BufSize = 348160;
        internal const int MaxLevel = 3;
    }
}
