using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_DCtx_reset")]
        internal static partial nuint DCtxReset(nint dctx, int reset);
    }
}
