using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // long syscall(SYS_fstat, int fd, struct stat *buf): the raw call, because glibc < 2.33 exports no fstat symbol
        [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
        internal static unsafe partial long FStatSyscall(long number, SafeHandle fd, Stat* buf);
    }
}
