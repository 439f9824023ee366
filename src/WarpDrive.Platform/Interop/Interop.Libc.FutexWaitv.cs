using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // long syscall(SYS_futex_waitv, struct futex_waitv *waiters, unsigned int nr_futexes, unsigned int flags, struct timespec *timeout, clockid_t clockid): Linux 5.16+
        [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
        internal static unsafe partial long FutexWaitvSyscall(long number, FutexWaiter* waiters, uint count, uint flags, Timespec* timeout, int clockId);
    }
}
