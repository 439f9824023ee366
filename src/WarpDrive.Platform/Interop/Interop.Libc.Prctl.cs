using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5): variadic in glibc, all integer arguments
        [LibraryImport(Name, EntryPoint = "prctl", SetLastError = true)]
        internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
    }
}
