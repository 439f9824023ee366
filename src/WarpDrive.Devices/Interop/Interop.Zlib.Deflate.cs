using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // int deflate(z_streamp strm, int flush)
        [LibraryImport(Name, EntryPoint = "deflate")]
        internal static unsafe partial int Deflate(ZStream* stream, int flush);
    }
}
