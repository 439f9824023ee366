using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class CompressionNative
    {
        [LibraryImport(Name, EntryPoint = "CompressionNative_Crc32")]
        internal static unsafe partial uint Crc32(uint crc, byte* buffer, int len);
    }
}
