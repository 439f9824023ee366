using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags)
        [LibraryImport(Name, EntryPoint = "sendmsg", SetLastError = true)]
        internal static unsafe partial nint SendMsg(SafeHandle socket, Msghdr* message, int flags);
    }
}
