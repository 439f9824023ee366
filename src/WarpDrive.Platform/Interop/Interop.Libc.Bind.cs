using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen)
        [LibraryImport(Name, EntryPoint = "bind", SetLastError = true)]
        internal static unsafe partial int Bind(SafeHandle socket, SockaddrUn* address, uint addressLength);
    }
}
