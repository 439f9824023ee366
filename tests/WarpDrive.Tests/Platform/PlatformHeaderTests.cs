using System.Globalization;
using System.Runtime.InteropServices;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

/// <summary>The platform layer's syscall numbers, struct layouts and constants equal what the kernel's and the C
/// library's headers say for the architecture that runs the test: a C program compiled for it (<see cref="NativeProbe"/>:
/// x64 here, arm64 under qemu in scripts/test-arm64.sh) prints them.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed unsafe class PlatformHeaderTests
{
    private const string Probe = """
        #define _GNU_SOURCE
        #include <stdio.h>
        #include <stddef.h>
        #include <fcntl.h>
        #include <poll.h>
        #include <time.h>
        #include <sys/epoll.h>
        #include <sys/mman.h>
        #include <sys/socket.h>
        #include <sys/stat.h>
        #include <asm/unistd.h>
        #include <linux/futex.h>
        int main(void)
        {
            printf("__NR_fstat=%ld\n", (long)__NR_fstat);
            printf("__NR_futex=%ld\n", (long)__NR_futex);
            printf("__NR_pidfd_open=%ld\n", (long)__NR_pidfd_open);
            printf("__NR_futex_waitv=%ld\n", (long)__NR_futex_waitv);
            printf("sizeof(stat)=%zu\n", sizeof(struct stat));
            printf("offsetof(stat.st_mode)=%zu\n", offsetof(struct stat, st_mode));
            printf("offsetof(stat.st_size)=%zu\n", offsetof(struct stat, st_size));
            printf("sizeof(epoll_event)=%zu\n", sizeof(struct epoll_event));
            printf("offsetof(epoll_event.data)=%zu\n", offsetof(struct epoll_event, data));
            printf("sizeof(futex_waitv)=%zu\n", sizeof(struct futex_waitv));
            printf("sizeof(msghdr)=%zu\n", sizeof(struct msghdr));
            printf("offsetof(msghdr.msg_control)=%zu\n", offsetof(struct msghdr, msg_control));
            printf("offsetof(msghdr.msg_flags)=%zu\n", offsetof(struct msghdr, msg_flags));
            printf("sizeof(cmsghdr)=%zu\n", sizeof(struct cmsghdr));
            printf("sizeof(timespec)=%zu\n", sizeof(struct timespec));
            printf("sizeof(pollfd)=%zu\n", sizeof(struct pollfd));
            printf("O_NONBLOCK=%d\n", O_NONBLOCK);
            printf("F_ADD_SEALS=%d\n", F_ADD_SEALS);
            printf("MAP_ANONYMOUS=%d\n", MAP_ANONYMOUS);
            printf("MADV_DONTFORK=%d\n", MADV_DONTFORK);
            printf("MFD_ALLOW_SEALING=%u\n", (unsigned)MFD_ALLOW_SEALING);
            printf("SOCK_CLOEXEC=%d\n", SOCK_CLOEXEC);
            printf("SO_PEERCRED=%d\n", SO_PEERCRED);
            printf("SO_RCVTIMEO=%d\n", SO_RCVTIMEO);
            printf("EPOLL_CLOEXEC=%d\n", EPOLL_CLOEXEC);
            printf("POLLRDHUP=%d\n", POLLRDHUP);
            return 0;
        }
        """;

    private static readonly Lazy<Dictionary<string, string>> s_native = new(() => NativeProbe.Run(Probe));

    public static TheoryData<string, long> Expected
    {
        get
        {
            Interop.Libc.LinuxAbi abi = Interop.Libc.LinuxAbi.Current;
            Interop.Libc.Msghdr m = default;
            return new()
            {
                { "__NR_fstat", abi.Fstat },
                { "__NR_futex", abi.Futex },
                { "__NR_pidfd_open", abi.PidfdOpen },
                { "__NR_futex_waitv", abi.FutexWaitv },
                { "sizeof(stat)", abi.StatSize },
                { "offsetof(stat.st_mode)", abi.StatModeOffset },
                { "offsetof(stat.st_size)", abi.StatSizeOffset },
                { "sizeof(epoll_event)", abi.EpollEventSize },
                { "offsetof(epoll_event.data)", abi.EpollDataOffset },
                { "sizeof(futex_waitv)", sizeof(FutexWaiter) },
                { "sizeof(msghdr)", sizeof(Interop.Libc.Msghdr) },
                { "offsetof(msghdr.msg_control)", (byte*)&m.Control - (byte*)&m },
                { "offsetof(msghdr.msg_flags)", (byte*)&m.Flags - (byte*)&m },
                { "sizeof(cmsghdr)", sizeof(Interop.Libc.Cmsghdr) },
                { "sizeof(timespec)", sizeof(Interop.Libc.Timespec) },
                { "sizeof(pollfd)", sizeof(Interop.Libc.PollFd) },
                { "O_NONBLOCK", Interop.Libc.O_NONBLOCK },
                { "F_ADD_SEALS", Interop.Libc.F_ADD_SEALS },
                { "MAP_ANONYMOUS", Interop.Libc.MAP_ANONYMOUS },
                { "MADV_DONTFORK", Interop.Libc.MADV_DONTFORK },
                { "MFD_ALLOW_SEALING", Interop.Libc.MFD_ALLOW_SEALING },
                { "SOCK_CLOEXEC", Interop.Libc.SOCK_CLOEXEC },
                { "SO_PEERCRED", Interop.Libc.SO_PEERCRED },
                { "SO_RCVTIMEO", Interop.Libc.SO_RCVTIMEO },
                { "EPOLL_CLOEXEC", Interop.Libc.EPOLL_CLOEXEC },
                { "POLLRDHUP", Interop.Libc.POLLRDHUP },
            };
        }
    }

    [Theory]
    [MemberData(nameof(Expected))]
    public void EqualsTheHeadersOfThisArchitecture(string name, long ours) =>
        Assert.Equal(s_native.Value[name], ours.ToString(CultureInfo.InvariantCulture));

    [Fact]
    public void TheProbeIsCompiledForThisArchitecture()
    {
        // The probe's syscall numbers tell x86_64 (futex 202) from arm64 (98): a probe built for the wrong one fails here.
        long futex = long.Parse(s_native.Value["__NR_futex"], CultureInfo.InvariantCulture);
        Assert.Equal(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 98 : 202, futex);
    }
}
