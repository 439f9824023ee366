using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class CompressionNative
    {
        [LibraryImport(Name, EntryPoint = "CompressionNative_InflateInit2_")]
        internal static unsafe partial int InflateInit2(ZStream* stream, int windowBits);

        [LibraryImport(Name, EntryPoint = "CompressionNative_Inflate")]
        internal static unsafe partial int Inflate(ZStream* stream, int flush);

        [LibraryImport(Name, EntryPoint = "CompressionNative_InflateEnd")]
        internal static unsafe partial int InflateEnd(ZStream* stream);
    }
}
