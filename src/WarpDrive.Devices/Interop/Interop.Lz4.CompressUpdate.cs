using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Lz4
    {
        [LibraryImport(Name, EntryPoint = "LZ4F_compressUpdate")]
        internal static unsafe partial nuint CompressUpdate(nint context, byte* output, nuint capacity, byte* input, nuint length, void* options);
    }
}
