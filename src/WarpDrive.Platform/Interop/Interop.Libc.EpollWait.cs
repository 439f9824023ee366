using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout)
        [LibraryImport(Name, EntryPoint = "epoll_wait", SetLastError = true)]
        internal static unsafe partial int EpollWait(SafeHandle epoll, EpollEvent* events, int maxEvents, int timeout);
    }
}
