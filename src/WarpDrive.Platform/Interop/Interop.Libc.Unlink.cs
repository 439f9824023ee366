using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int unlink(const char *pathname)
        [LibraryImport(Name, EntryPoint = "unlink", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Unlink(string path);
    }
}
