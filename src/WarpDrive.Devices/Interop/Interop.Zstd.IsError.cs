using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_isError")]
        internal static partial uint IsError(nuint code);
    }
}
