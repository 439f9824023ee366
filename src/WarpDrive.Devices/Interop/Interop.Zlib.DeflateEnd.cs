using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // int deflateEnd(z_streamp strm)
        [LibraryImport(Name, EntryPoint = "deflateEnd")]
        internal static unsafe partial int DeflateEnd(ZStream* stream);
    }
}
