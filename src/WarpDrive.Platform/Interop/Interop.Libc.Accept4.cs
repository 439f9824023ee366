using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags)
        [LibraryImport(Name, EntryPoint = "accept4", SetLastError = true)]
        internal static unsafe partial int Accept4(SafeHandle socket, void* address, uint* addressLength, int flags);
    }
}
