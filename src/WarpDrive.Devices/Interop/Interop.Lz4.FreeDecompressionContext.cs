using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Lz4
    {
        [LibraryImport(Name, EntryPoint = "LZ4F_freeDecompressionContext")]
        internal static partial nuint FreeDecompressionContext(nint context);
    }
}
