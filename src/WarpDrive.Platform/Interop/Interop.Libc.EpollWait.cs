using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout): events is EpollEvent (x86_64,
        // packed) or AlignedEpollEvent (arm64), per LinuxAbi.EpollEventSize
        [LibraryImport(Name, EntryPoint = "epoll_wait", SetLastError = true)]
        internal static unsafe partial int EpollWait(SafeHandle epoll, void* events, int maxEvents, int timeout);
    }
}
