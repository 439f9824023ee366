using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Zstd
    {
        [LibraryImport(Name, EntryPoint = "ZSTD_DCtx_loadDictionary")]
        internal static unsafe partial nuint DCtxLoadDictionary(nint dctx, byte* dictionary, nuint size);
    }
}
