using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event)
        [LibraryImport(Name, EntryPoint = "epoll_ctl", SetLastError = true)]
        internal static unsafe partial int EpollCtl(SafeHandle epoll, int op, SafeHandle fd, EpollEvent* ev);
    }
}
