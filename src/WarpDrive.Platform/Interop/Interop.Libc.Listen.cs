using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int listen(int sockfd, int backlog)
        [LibraryImport(Name, EntryPoint = "listen", SetLastError = true)]
        internal static partial int Listen(SafeHandle socket, int backlog);
    }
}
