using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int fcntl(int fd, int cmd, ... /* int arg */): variadic, called with one int (register-passed on x86_64 and Linux arm64 alike)
        [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(SafeHandle fd, int cmd, int arg);
    }
}
