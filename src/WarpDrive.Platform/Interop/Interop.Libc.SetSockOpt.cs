using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int setsockopt(int sockfd, int level, int optname, const void *optval, socklen_t optlen)
        [LibraryImport(Name, EntryPoint = "setsockopt", SetLastError = true)]
        internal static unsafe partial int SetSockOpt(SafeHandle socket, int level, int name, void* value, uint valueLength);
    }
}
