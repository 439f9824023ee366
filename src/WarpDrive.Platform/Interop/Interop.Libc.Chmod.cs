using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int chmod(const char *pathname, mode_t mode)
        [LibraryImport(Name, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Chmod(string path, uint mode);
    }
}
