using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    /// <summary>The system zlib (Debian zlib1g, libz.so.1): its public, stable ABI, the fallback ZIP engine. Chosen over
    /// System.IO.Compression's DeflateStream/ZLibStream because the device needs what those cannot give: the bytes
    /// consumed and produced by each call (a decompressor stops exactly at the end of the stream), resuming after a
    /// full output buffer, sync flushes at request boundaries, the request's window bits, and data errors by kind, not
    /// as exception text; and over the runtime's libSystem.IO.Compression.Native, whose exports are private to the runtime
    /// and may change with any runtime update.</summary>
    internal static partial class Zlib
    {
        internal const string Name = "libz.so.1";

        /// <summary>zlib checks only the major digit of the version the caller was built for (and the struct's size).</summary>
        internal static ReadOnlySpan<byte> ZlibVersion => "1.2.11\0"u8;

        /// <summary>z_stream on LP64 (zlib.h): uLong is 64-bit; zalloc/zfree/opaque null select zlib's own allocator.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct ZStream
        {
            internal byte* NextIn;
            internal uint AvailIn;
            internal nuint TotalIn;
            internal byte* NextOut;
            internal uint AvailOut;
            internal nuint TotalOut;
            internal byte* Msg;
            internal nint State;
            internal nint ZAlloc;
            internal nint ZFree;
            internal nint Opaque;
            internal int DataType;
            internal nuint Adler;
            internal nuint Reserved;
        }

        internal const int Z_OK = 0, Z_STREAM_END = 1, Z_NEED_DICT = 2, Z_DATA_ERROR = -3, Z_BUF_ERROR = -5;
        internal const int Z_NO_FLUSH = 0, Z_SYNC_FLUSH = 2, Z_FINISH = 4;
        internal const int Z_DEFLATED = 8, DefaultMemLevel = 8, DefaultStrategy = 0;
    }
}
