using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
        [LibraryImport(Name, EntryPoint = "connect", SetLastError = true)]
        internal static unsafe partial int Connect(SafeHandle socket, SockaddrUn* address, uint addressLength);
    }
}
