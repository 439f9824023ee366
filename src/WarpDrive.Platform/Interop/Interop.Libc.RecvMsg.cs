using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags)
        [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
        internal static unsafe partial nint RecvMsg(SafeHandle socket, Msghdr* message, int flags);
    }
}
