using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Isal
    {
        [LibraryImport(Name)]
        internal static unsafe partial void isal_deflate_init(byte* stream);

        [LibraryImport(Name)]
        internal static unsafe partial int isal_deflate(byte* stream);
    }
}
