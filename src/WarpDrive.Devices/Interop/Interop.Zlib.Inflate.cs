using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // int inflate(z_streamp strm, int flush)
        [LibraryImport(Name, EntryPoint = "inflate")]
        internal static unsafe partial int Inflate(ZStream* stream, int flush);
    }
}
