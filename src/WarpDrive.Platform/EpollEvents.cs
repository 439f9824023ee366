namespace WarpDrive.Platform;

/// <summary>Readiness kinds an <see cref="Epoll"/> watches for and reports (<c>EPOLLIN</c>, ...).</summary>
[Flags]
public enum EpollEvents : uint
{
    /// <summary>No event.</summary>
    None = 0,

    /// <summary>Readable: data, a pending connection, or end of stream (EPOLLIN).</summary>
    In = 0x1,

    /// <summary>Writable (EPOLLOUT).</summary>
    Out = 0x4,

    /// <summary>Error condition; always reported, need not be asked for (EPOLLERR).</summary>
    Err = 0x8,

    /// <summary>Hang-up: both directions closed, e.g. the peer closed; always reported (EPOLLHUP).</summary>
    Hup = 0x10,

    /// <summary>The peer closed or shut down its writing side (EPOLLRDHUP); reported only when asked for.</summary>
    RdHup = 0x2000,
}
