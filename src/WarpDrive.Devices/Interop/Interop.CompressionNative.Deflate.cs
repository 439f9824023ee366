using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    internal static partial class CompressionNative
    {
        [LibraryImport(Name, EntryPoint = "CompressionNative_DeflateInit2_")]
        internal static unsafe partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy);

        [LibraryImport(Name, EntryPoint = "CompressionNative_Deflate")]
        internal static unsafe partial int Deflate(ZStream* stream, int flush);

        [LibraryImport(Name, EntryPoint = "CompressionNative_DeflateEnd")]
        internal static unsafe partial int DeflateEnd(ZStream* stream);
    }
}
