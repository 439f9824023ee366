using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int munmap(void *addr, size_t length)
        [LibraryImport(Name, EntryPoint = "munmap", SetLastError = true)]
        internal static unsafe partial int MUnmap(void* addr, nuint length);
    }
}
