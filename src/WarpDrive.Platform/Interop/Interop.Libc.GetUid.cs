using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // uid_t getuid(void): cannot fail
        [LibraryImport(Name, EntryPoint = "getuid", SetLastError = true)]
        internal static partial uint GetUid();
    }
}
