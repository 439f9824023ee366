using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

// Native structs shared by several imports, laid out as on Linux x86_64 and arm64 (LP64: the same there), but for
// struct stat, whose field offsets LinuxAbi gives per architecture.
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

        // struct epoll_event where it is not packed (every architecture but x86_64, arm64 among them): 16 bytes, data at 8.
        // The public EpollEvent has x86_64's packed layout (12 bytes, data at 4); Epoll converts on the others.
        [StructLayout(LayoutKind.Sequential)]
        internal struct AlignedEpollEvent
        {
            internal EpollEvents Events;
            internal ulong Data;
        }

        // struct stat: room for the largest (x86_64's 144 bytes; arm64's is 128); the fields we read sit at offsets that
        // differ per architecture (st_mode at 24 on x86_64, 16 on arm64), so they are read through LinuxAbi.
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct Stat
        {
            internal const int Capacity = 144;

            private fixed byte _bytes[Capacity];

            internal readonly uint Mode => Read<uint>(LinuxAbi.Current.StatModeOffset);

            internal readonly long Size => Read<long>(LinuxAbi.Current.StatSizeOffset);

            private readonly T Read<T>(int offset)
                where T : unmanaged
            {
                fixed (byte* p = _bytes)
                {
                    return System.Runtime.CompilerServices.Unsafe.ReadUnaligned<T>(p + offset);
                }
            }
        }
    }
}
