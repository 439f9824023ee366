using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>
/// An AF_UNIX SOCK_SEQPACKET socket: connection-oriented, message boundaries kept, descriptors (SCM_RIGHTS) and sender
/// credentials (SCM_CREDENTIALS) carried alongside messages. All descriptors it creates or receives are close-on-exec.
/// </summary>
/// <remarks>
/// Send and receive allocate nothing. HAZARD: an empty message reads as 0 bytes, which is also how end of stream
/// (peer closed) reads: never send empty messages.
/// </remarks>
public sealed unsafe class UnixSeqPacketSocket : IDisposable
{
    /// <summary>Most descriptors one message may carry, both ways.</summary>
    public const int MaxFileDescriptors = 4;

    /// <summary><see cref="Receive"/>'s result for a message it rejected: truncated, or carrying more descriptors than fit.</summary>
    public const int Rejected = -2;

    private const int CmsgHeaderSize = 16;                                                 // CMSG_LEN(0) on x86_64
    private const int RightsSpace = CmsgHeaderSize + MaxFileDescriptors * sizeof(int);     // CMSG_SPACE(16) = 32
    private const int CredentialsSpace = CmsgHeaderSize + 16;                              // CMSG_SPACE(sizeof(ucred) = 12) = 32
    private const int ReceiveControlSize = RightsSpace + CredentialsSpace;

    private readonly SafeFileHandle _handle;
    private bool _nonBlocking;

    private UnixSeqPacketSocket(SafeFileHandle handle, bool nonBlocking)
    {
        _handle = handle;
        _nonBlocking = nonBlocking;
    }

    /// <summary>The descriptor number (for <see cref="Epoll"/>); valid until <see cref="Dispose"/>.</summary>
    public int Fd => (int)_handle.DangerousGetHandle();

    /// <summary>Whether calls return at once (<see cref="TryAccept"/> null, <see cref="Send"/> and <see cref="Receive"/> -1) instead of waiting.</summary>
    public bool IsNonBlocking => _nonBlocking;

    /// <summary>
    /// Creates a non-blocking listening socket at <paramref name="path"/>: removes a stale file there, binds, sets the file's
    /// mode to <paramref name="mode"/> (who may connect: write permission is needed) and listens.
    /// </summary>
    /// <remarks>
    /// HAZARD: whatever is at <paramref name="path"/> is unlinked first, a live listener's socket included; make sure no
    /// other instance is serving there (a lock file, or a failed <see cref="Connect"/>). Disposing does not remove the file.
    /// The mode is set before listening, so nobody can connect under the umask's looser mode in between. Unlink and
    /// chmod go by name: keep the socket's directory writable only by this process's user, or someone could swap the
    /// file in between and have another one unlinked or its mode changed.
    /// </remarks>
    /// <param name="path">Filesystem path, at most 107 UTF-8 bytes.</param>
    /// <param name="backlog">Pending connections the kernel queues.</param>
    /// <param name="mode">Permission bits, e.g. 0x180 (octal 600) for the owner only, 0x1B6 (octal 666) for everyone.</param>
    /// <exception cref="ArgumentException">The path is empty, too long or contains NUL.</exception>
    /// <exception cref="PlatformException">A call failed (EADDRINUSE, EACCES, ...).</exception>
    public static UnixSeqPacketSocket Listen(string path, int backlog, uint mode)
    {
        Interop.Libc.SockaddrUn address;
        uint addressLength = FillAddress(path, &address);
        UnixSeqPacketSocket socket = Create(Interop.Libc.SOCK_NONBLOCK);
        bool bound = false;
        try
        {
            if (Interop.Libc.Unlink(path) != 0 && Marshal.GetLastPInvokeError() != Interop.Libc.ENOENT)
            {
                throw PlatformException.FromLastError($"unlink '{path}'");
            }

            if (Interop.Libc.Bind(socket._handle, &address, addressLength) != 0)
            {
                throw PlatformException.FromLastError($"bind to '{path}'");
            }

            bound = true;
            if (Interop.Libc.Chmod(path, mode) != 0)
            {
                throw PlatformException.FromLastError($"chmod '{path}'");
            }

            if (Interop.Libc.Listen(socket._handle, backlog) != 0)
            {
                throw PlatformException.FromLastError($"listen on '{path}'");
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            if (bound)
            {
                _ = Interop.Libc.Unlink(path);
            }

            throw;
        }
    }

    /// <summary>Connects to a listener at <paramref name="path"/>; the socket is blocking.</summary>
    /// <exception cref="ArgumentException">The path is empty, too long or contains NUL.</exception>
    /// <exception cref="PlatformException">ENOENT (nothing there), ECONNREFUSED (nobody listening), EACCES (no permission), ...;
    /// the message names the path.</exception>
    public static UnixSeqPacketSocket Connect(string path)
    {
        Interop.Libc.SockaddrUn address;
        uint addressLength = FillAddress(path, &address);
        UnixSeqPacketSocket socket = Create(0);
        try
        {
            while (Interop.Libc.Connect(socket._handle, &address, addressLength) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.Libc.EINTR) // AF_UNIX rolls an interrupted connect back: retrying is safe
                {
                    throw new PlatformException($"connect to '{path}'", errno);
                }
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Creates a connected pair of blocking sockets (<c>socketpair</c>).</summary>
    /// <exception cref="PlatformException">socketpair failed (EMFILE, ...).</exception>
    public static (UnixSeqPacketSocket, UnixSeqPacketSocket) CreatePair()
    {
        int* fds = stackalloc int[2];
        if (Interop.Libc.SocketPair(Interop.Libc.AF_UNIX, Interop.Libc.SOCK_SEQPACKET | Interop.Libc.SOCK_CLOEXEC, 0, fds) != 0)
        {
            throw PlatformException.FromLastError("socketpair");
        }

        return (new UnixSeqPacketSocket(new SafeFileHandle(fds[0], ownsHandle: true), nonBlocking: false),
            new UnixSeqPacketSocket(new SafeFileHandle(fds[1], ownsHandle: true), nonBlocking: false));
    }

    /// <summary>Accepts a pending connection as a non-blocking socket.</summary>
    /// <returns>The connection; null when none is pending (EAGAIN), it was aborted, or a signal interrupted the call.</returns>
    /// <exception cref="PlatformException">accept4 failed otherwise (EMFILE, ENFILE, ENOMEM: the connection stays queued).</exception>
    public UnixSeqPacketSocket? TryAccept()
    {
        int fd = Interop.Libc.Accept4(_handle, null, null, Interop.Libc.SOCK_CLOEXEC | Interop.Libc.SOCK_NONBLOCK);
        if (fd >= 0)
        {
            return new UnixSeqPacketSocket(new SafeFileHandle(fd, ownsHandle: true), nonBlocking: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno is Interop.Libc.EAGAIN or Interop.Libc.ECONNABORTED or Interop.Libc.EINTR
            ? null
            : throw new PlatformException("accept4", errno);
    }

    /// <summary>Switches <c>O_NONBLOCK</c> on or off.</summary>
    /// <exception cref="PlatformException">fcntl failed.</exception>
    public void SetNonBlocking(bool nonBlocking)
    {
        int flags = Interop.Libc.Fcntl(_handle, Interop.Libc.F_GETFL, 0);
        if (flags < 0)
        {
            throw PlatformException.FromLastError("fcntl(F_GETFL)");
        }

        int wanted = nonBlocking ? flags | Interop.Libc.O_NONBLOCK : flags & ~Interop.Libc.O_NONBLOCK;
        if (wanted != flags && Interop.Libc.Fcntl(_handle, Interop.Libc.F_SETFL, wanted) != 0)
        {
            throw PlatformException.FromLastError("fcntl(F_SETFL)");
        }

        _nonBlocking = nonBlocking;
    }

    /// <summary>Bounds how long a blocking <see cref="Receive"/> waits (then it returns -1); zero or negative waits forever.</summary>
    /// <exception cref="PlatformException">setsockopt failed.</exception>
    public void SetReceiveTimeout(TimeSpan timeout)
    {
        // The kernel reads {0, 0} as "no timeout"; anything positive is rounded up to a whole microsecond.
        long micros = timeout <= TimeSpan.Zero ? 0 : Math.Max(1, (timeout.Ticks + 9) / 10);
        Interop.Libc.Timeval value = new() { TvSec = micros / 1_000_000, TvUsec = micros % 1_000_000 };
        if (Interop.Libc.SetSockOpt(_handle, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_RCVTIMEO, &value, (uint)sizeof(Interop.Libc.Timeval)) != 0)
        {
            throw PlatformException.FromLastError("setsockopt(SO_RCVTIMEO)");
        }
    }

    /// <summary>The connected peer's credentials, as they were when it connected (SO_PEERCRED).</summary>
    /// <exception cref="PlatformException">getsockopt failed (ENOTCONN on a listener).</exception>
    public PeerCredentials GetPeerCredentials()
    {
        Interop.Libc.Ucred credentials;
        uint length = (uint)sizeof(Interop.Libc.Ucred);
        if (Interop.Libc.GetSockOpt(_handle, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_PEERCRED, &credentials, &length) != 0)
        {
            throw PlatformException.FromLastError("getsockopt(SO_PEERCRED)");
        }

        return new PeerCredentials(credentials.Pid, credentials.Uid, credentials.Gid);
    }

    /// <summary>A pidfd for the connected peer's process (SO_PEERPIDFD, Linux 6.5+): immune to pid reuse, unlike the pid.</summary>
    /// <returns>The pidfd (close-on-exec); null when the kernel lacks SO_PEERPIDFD (ENOPROTOOPT, EINVAL), in which
    /// case use <see cref="Pidfd.Open"/> on <see cref="GetPeerCredentials"/>'s pid.</returns>
    /// <exception cref="PlatformException">getsockopt failed otherwise: ESRCH or ENODATA when the peer process is gone.</exception>
    public SafeFileHandle? TryGetPeerPidfd()
    {
        int pidfd;
        uint length = sizeof(int);
        if (Interop.Libc.GetSockOpt(_handle, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_PEERPIDFD, &pidfd, &length) == 0)
        {
            return new SafeFileHandle(pidfd, ownsHandle: true);
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno is Interop.Libc.ENOPROTOOPT or Interop.Libc.EINVAL
            ? null
            : throw new PlatformException("getsockopt(SO_PEERPIDFD)", errno);
    }

    /// <summary>Sets SO_PASSCRED: from now on every received message reports its sender's credentials (<see cref="Receive"/>'s <c>sender</c>).</summary>
    /// <remarks>The kernel stamps each message when it is sent, so enable this before the peer sends.</remarks>
    /// <exception cref="PlatformException">setsockopt failed.</exception>
    public void EnablePassCredentials()
    {
        int on = 1;
        if (Interop.Libc.SetSockOpt(_handle, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_PASSCRED, &on, sizeof(int)) != 0)
        {
            throw PlatformException.FromLastError("setsockopt(SO_PASSCRED)");
        }
    }

    /// <summary>Sends one message, with up to <see cref="MaxFileDescriptors"/> descriptors (SCM_RIGHTS) when <paramref name="fds"/> is not empty.</summary>
    /// <remarks>The descriptors stay open here: the receiver gets its own copies. No SIGPIPE is raised (MSG_NOSIGNAL).</remarks>
    /// <returns>Bytes sent (the whole message); -1 when a non-blocking socket's buffer is full (EAGAIN).</returns>
    /// <exception cref="ArgumentException">More than <see cref="MaxFileDescriptors"/> descriptors.</exception>
    /// <exception cref="PlatformException">sendmsg failed: EPIPE or ECONNRESET when the peer is gone, EMSGSIZE, EBADF, ...</exception>
    public int Send(ReadOnlySpan<byte> message, ReadOnlySpan<int> fds = default)
    {
        if (fds.Length > MaxFileDescriptors)
        {
            throw new ArgumentException($"At most {MaxFileDescriptors} descriptors per message, not {fds.Length}.", nameof(fds));
        }

        ulong* control = stackalloc ulong[RightsSpace / sizeof(ulong)]; // ulong: cmsghdr needs 8-byte alignment
        fixed (byte* data = message)
        {
            Interop.Libc.Iovec iov = new() { Base = data, Length = (nuint)message.Length };
            Interop.Libc.Msghdr header = new() { Iov = &iov, IovLength = 1 };
            if (!fds.IsEmpty)
            {
                var cmsg = (Interop.Libc.Cmsghdr*)control;
                cmsg->Length = (nuint)(CmsgHeaderSize + fds.Length * sizeof(int));      // CMSG_LEN
                cmsg->Level = Interop.Libc.SOL_SOCKET;
                cmsg->Type = Interop.Libc.SCM_RIGHTS;
                fds.CopyTo(new Span<int>((byte*)control + CmsgHeaderSize, fds.Length));
                header.Control = control;
                header.ControlLength = (nuint)(CmsgHeaderSize + Align(fds.Length * sizeof(int))); // CMSG_SPACE
            }

            while (true)
            {
                nint sent = Interop.Libc.SendMsg(_handle, &header, Interop.Libc.MSG_NOSIGNAL);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Libc.EAGAIN)
                {
                    return -1;
                }

                if (errno != Interop.Libc.EINTR)
                {
                    throw new PlatformException("sendmsg", errno);
                }
            }
        }
    }

    /// <summary>Receives one message, the descriptors it carries (close-on-exec) and, after <see cref="EnablePassCredentials"/>, its sender.</summary>
    /// <param name="buffer">Where the message goes; a longer message is rejected.</param>
    /// <param name="fds">Where received descriptors go; the caller owns them (<see cref="FileDescriptor.Own"/>).</param>
    /// <param name="fdCount">How many descriptors were stored in <paramref name="fds"/>.</param>
    /// <param name="sender">The sender's credentials when the message carried them (SO_PASSCRED), else null.</param>
    /// <returns>
    /// Bytes received; 0 at end of stream (peer closed); -1 when nothing is there yet (non-blocking, or the receive
    /// timeout passed); <see cref="Rejected"/> (-2) when the message was truncated (longer than <paramref name="buffer"/>,
    /// MSG_TRUNC), its control data was (MSG_CTRUNC: more than <see cref="MaxFileDescriptors"/> descriptors), or it carried
    /// more descriptors than <paramref name="fds"/> holds. A rejected message is consumed and every descriptor it brought
    /// is closed, so a hostile peer cannot leak descriptors into this process; <paramref name="fdCount"/> is 0.
    /// </returns>
    /// <exception cref="PlatformException">recvmsg failed (ECONNRESET, EBADF, ...).</exception>
    public int Receive(Span<byte> buffer, Span<int> fds, out int fdCount, out PeerCredentials? sender)
    {
        fdCount = 0;
        sender = null;
        ulong* control = stackalloc ulong[ReceiveControlSize / sizeof(ulong)];
        nint received;
        Interop.Libc.Msghdr header;
        fixed (byte* data = buffer)
        {
            Interop.Libc.Iovec iov = new() { Base = data, Length = (nuint)buffer.Length };
            while (true)
            {
                header = new() { Iov = &iov, IovLength = 1, Control = control, ControlLength = ReceiveControlSize };
                received = Interop.Libc.RecvMsg(_handle, &header, Interop.Libc.MSG_CMSG_CLOEXEC);
                if (received >= 0)
                {
                    break;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.Libc.EAGAIN)
                {
                    return -1;
                }

                if (errno != Interop.Libc.EINTR)
                {
                    throw new PlatformException("recvmsg", errno);
                }
            }
        }

        bool reject = (header.Flags & (Interop.Libc.MSG_TRUNC | Interop.Libc.MSG_CTRUNC)) != 0;
        int count = 0;

        // Walk every cmsg as CMSG_FIRSTHDR/CMSG_NXTHDR do: headers at 8-byte-aligned offsets, data right after the 16-byte header.
        byte* p = (byte*)control;
        byte* end = p + Math.Min(header.ControlLength, (nuint)ReceiveControlSize);
        while (end - p >= sizeof(Interop.Libc.Cmsghdr))
        {
            var cmsg = (Interop.Libc.Cmsghdr*)p;
            nuint length = cmsg->Length;
            if (length < CmsgHeaderSize || length > (nuint)(end - p))
            {
                break;
            }

            int dataLength = (int)length - CmsgHeaderSize;
            if (cmsg->Level == Interop.Libc.SOL_SOCKET && cmsg->Type == Interop.Libc.SCM_RIGHTS)
            {
                int* received32 = (int*)(p + CmsgHeaderSize);
                for (int i = 0; i < dataLength / sizeof(int); i++)
                {
                    if (!reject && count < fds.Length)
                    {
                        fds[count++] = received32[i];
                    }
                    else
                    {
                        // More than the caller can hold: the message is rejected and this descriptor closed at once.
                        reject = true;
                        _ = Interop.Libc.Close(received32[i]);
                    }
                }
            }
            else if (cmsg->Level == Interop.Libc.SOL_SOCKET && cmsg->Type == Interop.Libc.SCM_CREDENTIALS && dataLength >= sizeof(Interop.Libc.Ucred))
            {
                var credentials = (Interop.Libc.Ucred*)(p + CmsgHeaderSize);
                sender = new PeerCredentials(credentials->Pid, credentials->Uid, credentials->Gid);
            }

            nuint step = (nuint)Align((int)length);
            if (step >= (nuint)(end - p))
            {
                break;
            }

            p += step;
        }

        if (reject)
        {
            for (int i = 0; i < count; i++)
            {
                _ = Interop.Libc.Close(fds[i]);
                fds[i] = -1;
            }

            return Rejected;
        }

        fdCount = count;
        return (int)received;
    }

    /// <summary>Whether the peer closed its end (it exited, or was killed): a zero-timeout poll, one system call.</summary>
    /// <exception cref="PlatformException">poll failed.</exception>
    public bool IsPeerClosed() =>
        (SinglePoll.Wait(_handle, Interop.Libc.POLLRDHUP, 0, "socket") & (Interop.Libc.POLLRDHUP | Interop.Libc.POLLHUP | Interop.Libc.POLLERR)) != 0;

    /// <summary>Shuts both directions down: the peer reads end of stream, and a thread blocked in <see cref="Receive"/> here returns 0.</summary>
    /// <exception cref="PlatformException">shutdown failed (other than ENOTCONN, which is ignored).</exception>
    public void Shutdown()
    {
        if (Interop.Libc.Shutdown(_handle, Interop.Libc.SHUT_RDWR) != 0 && Marshal.GetLastPInvokeError() != Interop.Libc.ENOTCONN)
        {
            throw PlatformException.FromLastError("shutdown");
        }
    }

    /// <summary>Closes the socket; later calls do nothing.</summary>
    public void Dispose() => _handle.Dispose();

    private static int Align(int length) => (length + 7) & ~7; // CMSG_ALIGN on x86_64

    private static UnixSeqPacketSocket Create(int extraTypeFlags)
    {
        int fd = Interop.Libc.Socket(Interop.Libc.AF_UNIX, Interop.Libc.SOCK_SEQPACKET | Interop.Libc.SOCK_CLOEXEC | extraTypeFlags, 0);
        return fd < 0
            ? throw PlatformException.FromLastError("socket(AF_UNIX, SOCK_SEQPACKET)")
            : new UnixSeqPacketSocket(new SafeFileHandle(fd, ownsHandle: true), (extraTypeFlags & Interop.Libc.SOCK_NONBLOCK) != 0);
    }

    private static uint FillAddress(string path, Interop.Libc.SockaddrUn* address)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A socket path cannot contain NUL.", nameof(path));
        }

        int length = Encoding.UTF8.GetByteCount(path);
        if (length > Interop.Libc.SunPathLength - 1)
        {
            throw new ArgumentException($"Socket path is {length} bytes; at most {Interop.Libc.SunPathLength - 1} fit in sockaddr_un: {path}", nameof(path));
        }

        *address = default;
        address->Family = Interop.Libc.AF_UNIX;
        Encoding.UTF8.GetBytes(path, new Span<byte>(address->Path, length));
        return (uint)(sizeof(ushort) + length + 1); // offsetof(sun_path) + path + NUL
    }
}
