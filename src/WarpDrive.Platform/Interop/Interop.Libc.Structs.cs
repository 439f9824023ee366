using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

// Native structs shared by several imports, laid out as on Linux x86_64.
internal static partial class Interop
{
    internal static partial class Libc
    {
        [StructLayout(LayoutKind.Sequential)]
        internal struct Timespec
        {
            internal long TvSec;
            internal long TvNsec;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct Timeval
        {
            internal long TvSec;
            internal long TvUsec;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct Iovec
        {
            internal void* Base;
            internal nuint Length;
        }

        // struct msghdr: 56 bytes; the padding after NameLength and Flags is the compiler's, as in C.
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct Msghdr
        {
            internal void* Name;
            internal uint NameLength;
            internal Iovec* Iov;
            internal nuint IovLength;
            internal void* Control;
            internal nuint ControlLength;
            internal int Flags;
        }

        // struct cmsghdr: 16 bytes; its data starts at CMSG_ALIGN(16) = 16.
        [StructLayout(LayoutKind.Sequential)]
        internal struct Cmsghdr
        {
            internal nuint Length;
            internal int Level;
            internal int Type;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct SockaddrUn
        {
            internal ushort Family;
            internal fixed byte Path[SunPathLength];
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct Ucred
        {
            internal int Pid;
            internal uint Uid;
            internal uint Gid;
        }

        [StructLayout(LayoutKind.Sequential)]
        internal struct PollFd
        {
            internal int Fd;
            internal short Events;
            internal short Revents;
        }

        // struct stat of the x86_64 kernel (and glibc): 144 bytes; only the fields we read are named.
        [StructLayout(LayoutKind.Explicit, Size = 144)]
        internal struct Stat
        {
            [FieldOffset(24)] internal uint Mode;
            [FieldOffset(48)] internal long Size;
        }
    }
}
