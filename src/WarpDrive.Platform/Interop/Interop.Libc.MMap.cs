using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset), for a file: the marshaller
        // holds the handle (AddRef) for the call, so a concurrent dispose cannot close the number and let it be reused.
        [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
        internal static unsafe partial void* MMap(void* addr, nuint length, int prot, int flags, SafeHandle fd, long offset);

        // The same without a file: MAP_ANONYMOUS, fd -1 (the tests map scratch memory).
        [LibraryImport(Name, EntryPoint = "mmap", SetLastError = true)]
        private static unsafe partial void* MMap(void* addr, nuint length, int prot, int flags, int fd, long offset);

        internal static unsafe void* MMapAnonymous(void* addr, nuint length, int prot, int flags) =>
            MMap(addr, length, prot, flags | MAP_ANONYMOUS, -1, 0);
    }
}
