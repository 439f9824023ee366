using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event): EpollEvent or AlignedEpollEvent, as epoll_wait
        [LibraryImport(Name, EntryPoint = "epoll_ctl", SetLastError = true)]
        internal static unsafe partial int EpollCtl(SafeHandle epoll, int op, SafeHandle fd, void* ev);
    }
}
