using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_compressStream2")]
        internal static unsafe partial nuint CompressStream2(nint cctx, ZstdBuffer* output, ZstdBuffer* input, int endOp);
    }
}
