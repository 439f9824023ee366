using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // uLong adler32(uLong adler, const Bytef *buf, uInt len)
        [LibraryImport(Name, EntryPoint = "adler32")]
        internal static unsafe partial nuint Adler32(nuint adler, byte* buffer, uint length);
    }
}
