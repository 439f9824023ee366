namespace WarpDrive.Platform;

// Constants of every libc family this project imports, grouped here; each native import lives in its own
// Interop.Libc.<Name>.cs. Values are the same on Linux x86_64 and arm64 (asm-generic's, which both use for errno,
// fcntl, mmap and sockets); what differs (syscall numbers, struct stat, struct epoll_event) is in LinuxAbi.
internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const string Name = "libc";

        // errno values we act on (asm-generic/errno-base.h, errno.h).
        internal const int EPERM = 1;
        internal const int ENOENT = 2;
        internal const int ESRCH = 3;
        internal const int EINTR = 4;
        internal const int EBADF = 9;
        internal const int EAGAIN = 11;
        internal const int EFAULT = 14;
        internal const int EPIPE = 32;
        internal const int EINVAL = 22;
        internal const int ENOTTY = 25;
        internal const int ENOSYS = 38;
        internal const int ENOPROTOOPT = 92;
        internal const int ECONNABORTED = 103;
        internal const int ECONNRESET = 104;
        internal const int ENOTCONN = 107;
        internal const int ETIMEDOUT = 110;

        // Raw syscalls (numbers per architecture: LinuxAbi) for calls glibc does not wrap everywhere: fstat is exported
        // only from glibc 2.33 (before: __fxstat), pidfd_open from 2.36, futex and futex_waitv never.

        // futex: shared (not _PRIVATE) operations: the word may live in memory mapped by another process.
        internal const int FUTEX_WAIT = 0;
        internal const int FUTEX_WAKE = 1;
        internal const uint FUTEX2_SIZE_U32 = 2;     // FUTEX_32 in linux/futex.h
        internal const int FUTEX_WAITV_MAX = 128;
        internal const int CLOCK_MONOTONIC = 1;
        internal const int CLOCK_THREAD_CPUTIME_ID = 3;

        // memfd_create flags.
        internal const uint MFD_CLOEXEC = 0x1;
        internal const uint MFD_ALLOW_SEALING = 0x2;
        internal const uint MFD_NOEXEC_SEAL = 0x8;   // Linux 6.3+: EINVAL before

        // fcntl commands, flags and seals.
        internal const int F_GETFL = 3;
        internal const int F_SETFL = 4;
        internal const int F_DUPFD_CLOEXEC = 1030;
        internal const int F_ADD_SEALS = 1033;
        internal const int F_GET_SEALS = 1034;
        internal const int O_NONBLOCK = 0x800;
        internal const uint F_SEAL_SEAL = 0x1;
        internal const uint F_SEAL_SHRINK = 0x2;
        internal const uint F_SEAL_GROW = 0x4;

        // mmap / madvise.
        internal const int PROT_NONE = 0;
        internal const int PROT_READ = 1;
        internal const int PROT_WRITE = 2;
        internal const int MAP_SHARED = 0x01;
        internal const int MAP_PRIVATE = 0x02;
        internal const int MAP_ANONYMOUS = 0x20;
        internal const int MADV_DONTFORK = 10;
        internal const int MADV_POPULATE_WRITE = 23; // Linux 5.14+: EINVAL before
        internal const int PageSize = 4096;          // the rounding unit; arm64 kernels may use 16 or 64 KiB pages (mmap rounds up)

        // Sockets.
        internal const int AF_UNIX = 1;
        internal const int SOCK_SEQPACKET = 5;
        internal const int SOCK_NONBLOCK = 0x800;
        internal const int SOCK_CLOEXEC = 0x80000;
        internal const int SOL_SOCKET = 1;
        internal const int SO_PASSCRED = 16;
        internal const int SO_PEERCRED = 17;
        internal const int SO_RCVTIMEO = 20;         // struct timeval (the _OLD name on 64-bit is the same)
        internal const int SO_PEERPIDFD = 77;        // Linux 6.5+: ENOPROTOOPT before
        internal const int SCM_RIGHTS = 1;
        internal const int SCM_CREDENTIALS = 2;
        internal const int MSG_CTRUNC = 0x8;
        internal const int MSG_TRUNC = 0x20;
        internal const int MSG_NOSIGNAL = 0x4000;
        internal const int MSG_CMSG_CLOEXEC = 0x40000000;
        internal const int SHUT_RDWR = 2;
        internal const int SunPathLength = 108;      // sizeof(sockaddr_un.sun_path), NUL included

        // poll / epoll.
        internal const short POLLIN = 0x1;
        internal const short POLLERR = 0x8;
        internal const short POLLHUP = 0x10;
        internal const short POLLRDHUP = 0x2000;
        internal const int EPOLL_CLOEXEC = 0x80000;
        internal const int EPOLL_CTL_ADD = 1;
        internal const int EPOLL_CTL_DEL = 2;
        internal const int EPOLL_CTL_MOD = 3;

        // prctl.
        internal const int PR_SET_PTRACER = 0x59616d61;
    }
}
