using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_decompressStream")]
        internal static unsafe partial nuint DecompressStream(nint dctx, ZstdBuffer* output, ZstdBuffer* input);
    }
}
