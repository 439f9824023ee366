using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // uid_t geteuid(void): cannot fail
        [LibraryImport(Name, EntryPoint = "geteuid", SetLastError = true)]
        internal static partial uint GetEUid();
    }
}
