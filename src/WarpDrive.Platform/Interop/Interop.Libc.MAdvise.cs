using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int madvise(void *addr, size_t length, int advice)
        [LibraryImport(Name, EntryPoint = "madvise", SetLastError = true)]
        internal static unsafe partial int MAdvise(void* addr, nuint length, int advice);
    }
}
