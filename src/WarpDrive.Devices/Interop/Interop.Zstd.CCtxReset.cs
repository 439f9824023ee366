using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_CCtx_reset")]
        internal static partial nuint CCtxReset(nint cctx, int reset);
    }
}
