using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int R_OK = 4, W_OK = 2;

        // int access(const char *pathname, int mode): checked with the real uid and gids
        [LibraryImport(Name, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int Access(string path, int mode);
    }
}
