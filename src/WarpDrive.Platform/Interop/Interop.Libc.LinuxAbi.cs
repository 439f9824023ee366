using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>What differs between the Linux ABIs this project supports: the raw syscall numbers of the calls glibc
        /// does not wrap everywhere, and the layouts of <c>struct stat</c> and <c>struct epoll_event</c>. Everything else
        /// the project passes to the kernel (msghdr, cmsghdr, timespec, pollfd, ucred, sockaddr_un, futex_waitv, the
        /// uacce ioctl numbers, errno, fcntl, mmap and socket constants) is the same on x86_64 and arm64 (LP64, and
        /// arm64 takes asm-generic's values where x86_64 has no table of its own); tests/WarpDrive.Tests/Platform pins it.
        /// syscall(2) and fcntl(2) are variadic; the imports declare fixed parameters, which is right on x86_64 and on
        /// Linux arm64, where AAPCS64 passes variadic integer arguments in the same registers as fixed ones.</summary>
        /// <param name="Architecture">The process architecture this ABI is.</param>
        /// <param name="Name">The runtime identifier's architecture part (x64, arm64).</param>
        /// <param name="Fstat">__NR_fstat (x86_64 asm/unistd_64.h; arm64: asm-generic/unistd.h's __NR3264_fstat).</param>
        /// <param name="Futex">__NR_futex (arm64: 98; x86_64's 202 is accept there).</param>
        /// <param name="PidfdOpen">__NR_pidfd_open: 434 on every architecture (the tables were unified at 403).</param>
        /// <param name="FutexWaitv">__NR_futex_waitv: 449 on every architecture.</param>
        /// <param name="StatSize">sizeof(struct stat) of the kernel's newfstat.</param>
        /// <param name="StatModeOffset">offsetof(struct stat, st_mode): x86_64 puts st_nlink (8 bytes) before it.</param>
        /// <param name="StatSizeOffset">offsetof(struct stat, st_size).</param>
        /// <param name="EpollEventSize">sizeof(struct epoll_event): packed (12) on x86_64 only; 16 elsewhere.</param>
        /// <param name="EpollDataOffset">offsetof(struct epoll_event, data).</param>
        internal sealed record LinuxAbi(
            Architecture Architecture,
            string Name,
            long Fstat,
            long Futex,
            long PidfdOpen,
            long FutexWaitv,
            int StatSize,
            int StatModeOffset,
            int StatSizeOffset,
            int EpollEventSize,
            int EpollDataOffset)
        {
            /// <summary>Linux x86_64 (arch/x86/entry/syscalls/syscall_64.tbl, asm/stat.h, sys/epoll.h's __EPOLL_PACKED).</summary>
            internal static readonly LinuxAbi X64 = new(Architecture.X64, "x64",
                Fstat: 5, Futex: 202, PidfdOpen: 434, FutexWaitv: 449,
                StatSize: 144, StatModeOffset: 24, StatSizeOffset: 48,
                EpollEventSize: 12, EpollDataOffset: 4);

            /// <summary>Linux arm64 (include/uapi/asm-generic/unistd.h, asm-generic/stat.h, natural alignment).</summary>
            internal static readonly LinuxAbi Arm64 = new(Architecture.Arm64, "arm64",
                Fstat: 80, Futex: 98, PidfdOpen: 434, FutexWaitv: 449,
                StatSize: 128, StatModeOffset: 16, StatSizeOffset: 48,
                EpollEventSize: 16, EpollDataOffset: 8);

            /// <summary>Every supported ABI.</summary>
            internal static readonly LinuxAbi[] All = [X64, Arm64];

            private static readonly LinuxAbi? s_current = For(RuntimeInformation.ProcessArchitecture);

            /// <summary>This process's ABI.</summary>
            /// <exception cref="PlatformNotSupportedException">The process runs on another architecture.</exception>
            internal static LinuxAbi Current => s_current ?? throw new PlatformNotSupportedException(UnsupportedMessage(RuntimeInformation.ProcessArchitecture));

            /// <summary>The ABI of <paramref name="architecture"/>; null when this project does not support it.</summary>
            internal static LinuxAbi? For(Architecture architecture) => Array.Find(All, abi => abi.Architecture == architecture);

            /// <summary>The one line that says an architecture is not supported.</summary>
            internal static string UnsupportedMessage(Architecture architecture) =>
                $"WarpDrive supports Linux on x64 and arm64; this process runs on {architecture.ToString().ToLowerInvariant()}, " +
                "whose syscall numbers and struct layouts it does not know.";
        }
    }
}
