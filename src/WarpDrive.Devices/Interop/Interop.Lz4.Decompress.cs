using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Lz4
    {
        [LibraryImport(Name, EntryPoint = "LZ4F_decompress")]
        internal static unsafe partial nuint Decompress(nint context, byte* output, nuint* outputLength, byte* input, nuint* inputLength, void* options);
    }
}
