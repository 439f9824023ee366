using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen)
        [LibraryImport(Name, EntryPoint = "getsockopt", SetLastError = true)]
        internal static unsafe partial int GetSockOpt(SafeHandle socket, int level, int name, void* value, uint* valueLength);
    }
}
