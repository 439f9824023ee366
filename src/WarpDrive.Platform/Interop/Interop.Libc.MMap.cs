using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
        [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
        internal static unsafe partial void* MMap(void* addr, nuint length, int prot, int flags, int fd, long offset);
    }
}
