using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // int socketpair(int domain, int type, int protocol, int sv[2])
        [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
        internal static unsafe partial int SocketPair(int domain, int type, int protocol, int* sv);
    }
}
