using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_CCtx_loadDictionary")]
        internal static unsafe partial nuint CCtxLoadDictionary(nint cctx, byte* dictionary, nuint size);
    }
}
