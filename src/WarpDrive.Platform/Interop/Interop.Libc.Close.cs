using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int close(int fd): never retried on EINTR (Linux releases the fd regardless)
        [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
        internal static partial int Close(int fd);
    }
}
