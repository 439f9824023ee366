using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_CCtx_setParameter")]
        internal static partial nuint CCtxSetParameter(nint cctx, int parameter, int value);
    }
}
