using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int shutdown(int sockfd, int how)
        [LibraryImport(Name, EntryPoint = "shutdown", SetLastError = true)]
        internal static partial int Shutdown(SafeHandle socket, int how);
    }
}
