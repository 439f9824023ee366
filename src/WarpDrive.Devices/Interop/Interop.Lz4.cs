using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    /// <summary>The reference LZ4 library (Debian liblz4-1, liblz4.so.1): its frame API (lz4frame.h, stable since 1.8).</summary>
    internal static partial class Lz4
    {
        internal const string Name = "liblz4.so.1";

        internal const uint Version = 100; // LZ4F_VERSION

        /// <summary>LZ4F_preferences_t (56 bytes): LZ4F_frameInfo_t, then the level and flags.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Preferences
        {
            internal int BlockSizeId;       // LZ4F_blockSizeID_t: 0 default (64 KiB), 4 64 KiB ... 7 4 MiB
            internal int BlockMode;         // 0 linked, 1 independent
            internal int ContentChecksum;   // 1: XXH32 of the content after the end mark
            internal int FrameType;
            internal ulong ContentSize;
            internal uint DictionaryId;
            internal int BlockChecksum;
            internal int CompressionLevel;  // < 3 fast (negative: acceleration), 3-12 HC
            internal uint AutoFlush;
            internal uint FavorDecompressionSpeed;
            internal uint Reserved0, Reserved1, Reserved2;
        }

        internal const int BlockSize64K = 4;
    }
}
