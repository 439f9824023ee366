using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // int inflateEnd(z_streamp strm)
        [LibraryImport(Name, EntryPoint = "inflateEnd")]
        internal static unsafe partial int InflateEnd(ZStream* stream);
    }
}
