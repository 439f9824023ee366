using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int chown(const char *pathname, uid_t owner, gid_t group); -1 (uint.MaxValue) leaves an id unchanged.
        [LibraryImport(Name, EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Chown(string path, uint owner, uint group);
    }
}
