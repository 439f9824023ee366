using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Isal
    {
        [LibraryImport(Name)]
        internal static unsafe partial void isal_inflate_init(byte* state);

        [LibraryImport(Name)]
        internal static unsafe partial int isal_inflate(byte* state);
    }
}
