using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Isal
    {
        [LibraryImport(Name)]
        internal static unsafe partial uint isal_adler32(uint init, byte* buf, ulong len);

        [LibraryImport(Name)]
        internal static unsafe partial uint crc32_gzip_refl(uint init, byte* buf, ulong len);
    }
}
