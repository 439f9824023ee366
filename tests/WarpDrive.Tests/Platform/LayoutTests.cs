using System.Runtime.InteropServices;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

public unsafe class LayoutTests
{
    [Fact]
    public void EpollEventIsPackedLikeTheKernels()
    {
        Assert.Equal(12, sizeof(EpollEvent));
        Assert.Equal(0, (int)Marshal.OffsetOf<EpollEvent>(nameof(EpollEvent.Events)));
        Assert.Equal(4, (int)Marshal.OffsetOf<EpollEvent>(nameof(EpollEvent.Data)));
        EpollEvent* two = stackalloc EpollEvent[2];
        Assert.Equal(12, (int)((byte*)&two[1] - (byte*)&two[0]));
        Assert.Equal(4, (int)((byte*)&two[0].Data - (byte*)&two[0]));
    }

    [Fact]
    public void FutexWaiterMatchesStructFutexWaitv()
    {
        Assert.Equal(24, sizeof(FutexWaiter));
        FutexWaiter w = FutexWaiter.Create(0x1000, 7);
        Assert.Equal(8, (int)((byte*)&w.Address - (byte*)&w));
        Assert.Equal(16, (int)((byte*)&w.Flags - (byte*)&w));
        Assert.Equal(7ul, w.Value);
        Assert.Equal(0x1000ul, w.Address);
        Assert.Equal(2u, w.Flags); // FUTEX_32, shared
        Assert.Equal(0u, w.Reserved);
    }

    [Fact]
    public void NativeStructsHaveTheirLp64Sizes()
    {
        Assert.Equal(56, sizeof(Interop.Libc.Msghdr));
        Assert.Equal(16, sizeof(Interop.Libc.Cmsghdr));
        Assert.Equal(110, sizeof(Interop.Libc.SockaddrUn));
        Assert.Equal(12, sizeof(Interop.Libc.Ucred));
        Assert.Equal(144, sizeof(Interop.Libc.Stat));
        Assert.Equal(8, sizeof(Interop.Libc.PollFd));
        Interop.Libc.Msghdr m = default;
        Assert.Equal(32, (int)((byte*)&m.Control - (byte*)&m));
        Assert.Equal(48, (int)((byte*)&m.Flags - (byte*)&m));
    }
}
