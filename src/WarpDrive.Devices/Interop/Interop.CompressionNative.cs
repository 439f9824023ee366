using System.Runtime.InteropServices;

namespace WarpDrive.Devices;

internal static partial class Interop
{
    /// <summary>The runtime's own zlib-ng shim (libSystem.IO.Compression.Native, exports versioned V1.0), the engine
    /// behind System.IO.Compression. We bind its streaming entry points because the managed DeflateStream cannot
    /// report consumed/produced counts or resume after a full output buffer, which the device needs.</summary>
    internal static partial class CompressionNative
    {
        internal const string Name = "libSystem.IO.Compression.Native";

        /// <summary>PAL_ZStream: nextIn, nextOut, msg, internalState, availIn, availOut.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct ZStream
        {
            internal byte* NextIn;
            internal byte* NextOut;
            internal byte* Msg;
            internal nint InternalState;
            internal uint AvailIn;
            internal uint AvailOut;
        }

        internal const int Z_OK = 0, Z_STREAM_END = 1, Z_NEED_DICT = 2, Z_DATA_ERROR = -3, Z_BUF_ERROR = -5;
        internal const int Z_NO_FLUSH = 0, Z_SYNC_FLUSH = 2, Z_FINISH = 4;
        internal const int Z_DEFLATED = 8, DefaultMemLevel = 8, DefaultStrategy = 0;
    }
}
