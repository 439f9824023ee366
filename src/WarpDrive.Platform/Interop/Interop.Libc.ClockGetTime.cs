using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int clock_gettime(clockid_t clockid, struct timespec *tp)
        [LibraryImport(Name, EntryPoint = "clock_gettime", SetLastError = true)]
        internal static unsafe partial int ClockGetTime(int clockId, Timespec* time);
    }
}
