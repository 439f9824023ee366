using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int memfd_create(const char *name, unsigned int flags)
        [LibraryImport(Name, EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int MemfdCreate(string name, uint flags);
    }
}
