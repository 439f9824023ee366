using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zlib
    {
        // uLong crc32(uLong crc, const Bytef *buf, uInt len)
        [LibraryImport(Name, EntryPoint = "crc32")]
        internal static unsafe partial nuint Crc32(nuint crc, byte* buffer, uint length);
    }
}
