using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // long syscall(SYS_pidfd_open, pid_t pid, unsigned int flags): Linux 5.3+, no glibc wrapper before 2.36
        [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
        internal static partial long PidfdOpenSyscall(long number, int pid, uint flags);
    }
}
