using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int ftruncate(int fd, off_t length)
        [LibraryImport(Name, EntryPoint = "ftruncate", SetLastError = true)]
        internal static partial int FTruncate(SafeHandle fd, long length);
    }
}
