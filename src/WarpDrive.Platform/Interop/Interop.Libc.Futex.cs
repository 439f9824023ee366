using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // long syscall(SYS_futex, uint32_t *uaddr, int op, uint32_t val, const struct timespec *timeout, uint32_t *uaddr2, uint32_t val3)
        [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
        internal static unsafe partial long FutexSyscall(long number, uint* uaddr, int op, uint val, Timespec* timeout, uint* uaddr2, uint val3);
    }
}
