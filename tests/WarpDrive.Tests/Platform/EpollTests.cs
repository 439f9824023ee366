using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

public class EpollTests
{
    [Fact]
    public void ReportsReadableThenPeerHangUp()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (b)
        using (var epoll = new Epoll())
        {
            epoll.Add(b.Handle, EpollEvents.In | EpollEvents.RdHup, 42);
            Span<EpollEvent> events = stackalloc EpollEvent[4];
            Assert.Equal(0, epoll.Wait(events, 0));

            a.Send([1]);
            Assert.Equal(1, epoll.Wait(events, 1000));
            Assert.Equal(42ul, events[0].Data);
            Assert.Equal(EpollEvents.In, events[0].Events);

            Assert.Equal(ReceiveStatus.Message, b.Receive(new byte[4], default, out int length, out _, out _));
            Assert.Equal(1, length);
            Assert.Equal(0, epoll.Wait(events, 0));

            a.Dispose();
            Assert.Equal(1, epoll.Wait(events, 1000));
            Assert.Equal(42ul, events[0].Data);
            Assert.True((events[0].Events & EpollEvents.RdHup) != 0, $"{events[0].Events}");
            Assert.True((events[0].Events & EpollEvents.Hup) != 0, $"{events[0].Events}");

            epoll.Remove(b.Handle);
            Assert.Equal(0, epoll.Wait(events, 0));
            epoll.Remove(b.Handle); // not watched any more: ignored
        }
    }

    [Fact]
    public void ModifyChangesInterestAndData()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var epoll = new Epoll())
        {
            epoll.Add(a.Handle, EpollEvents.In, 1);
            Span<EpollEvent> events = stackalloc EpollEvent[1];
            Assert.Equal(0, epoll.Wait(events, 0));
            epoll.Modify(a.Handle, EpollEvents.Out, 2);
            Assert.Equal(1, epoll.Wait(events, 0));
            Assert.Equal(new EpollEvent { Events = EpollEvents.Out, Data = 2 }, events[0]);
            Assert.Equal(17, Assert.Throws<PlatformException>(() => epoll.Add(a.Handle, EpollEvents.In, 3)).Errno); // EEXIST
        }
    }

    [Fact]
    public void AClosedHandleCannotBeAddedAndIsIgnoredOnRemove()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (var epoll = new Epoll())
        {
            epoll.Add(b.Handle, EpollEvents.In, 1);
            b.Dispose();
            epoll.Remove(b.Handle); // closed: nothing to remove by
            Assert.Throws<ObjectDisposedException>(() => epoll.Add(b.Handle, EpollEvents.In, 2));
            Assert.Throws<ObjectDisposedException>(() => epoll.Modify(b.Handle, EpollEvents.In, 2));

            // The close dropped the watch with the open file (no copy of the descriptor was left): nothing reports.
            Span<EpollEvent> events = stackalloc EpollEvent[1];
            Assert.Equal(0, epoll.Wait(events, 0));
        }
    }
}
