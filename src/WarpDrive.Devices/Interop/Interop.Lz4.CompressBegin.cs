using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class Lz4
    {
        [LibraryImport(Name, EntryPoint = "LZ4F_compressBegin")]
        internal static unsafe partial nuint CompressBegin(nint context, byte* output, nuint capacity, Preferences* preferences);
    }
}
