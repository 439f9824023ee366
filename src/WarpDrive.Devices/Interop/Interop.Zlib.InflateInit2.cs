using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // int inflateInit2_(z_streamp strm, int windowBits, const char *version, int stream_size)
        [LibraryImport(Name, EntryPoint = "inflateInit2_")]
        internal static unsafe partial int InflateInit2(ZStream* stream, int windowBits, byte* version, int streamSize);
    }
}
