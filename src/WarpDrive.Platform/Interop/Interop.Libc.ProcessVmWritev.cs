using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ssize_t process_vm_writev(pid_t pid, const struct iovec *local_iov, unsigned long liovcnt, const struct iovec *remote_iov, unsigned long riovcnt, unsigned long flags)
        [LibraryImport(Name, EntryPoint = "process_vm_writev", SetLastError = true)]
        internal static unsafe partial nint ProcessVmWritev(int pid, Iovec* localIov, nuint localCount, Iovec* remoteIov, nuint remoteCount, nuint flags);
    }
}
