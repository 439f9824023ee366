using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>
/// An AF_UNIX SOCK_SEQPACKET socket: connection-oriented, message boundaries kept, descriptors (SCM_RIGHTS) and sender
/// credentials (SCM_CREDENTIALS) carried alongside messages. All descriptors it creates or receives are close-on-exec.
/// </summary>
/// <remarks>
/// Send and receive allocate nothing. HAZARD: an empty message reads as <see cref="ReceiveStatus.EndOfStream"/>, which
/// is how the peer closing reads: never send empty messages.
/// </remarks>
public sealed unsafe class UnixSeqPacketSocket : IDisposable
{
    /// <summary>Most descriptors one message may carry, both ways.</summary>
    public const int MaxFileDescriptors = 4;

    private const int CmsgHeaderSize = 16;                                                 // CMSG_LEN(0) on LP64 Linux (x86_64, arm64)
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

    /// <summary>The socket's descriptor, for <see cref="Epoll"/> or <see cref="FileDescriptor.Duplicate"/>; the socket owns it:
    /// dispose the socket, not the handle. Closed once the socket is disposed.</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>Whether calls return at once (<see cref="TryAccept"/> and <see cref="TrySend"/> false, <see cref="Receive"/>
    /// <see cref="ReceiveStatus.WouldBlock"/>) instead of waiting.</summary>
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
    /// <param name="connection">The connection when one was accepted; null otherwise.</param>
    /// <returns>true when a connection was accepted; false when none is pending (EAGAIN), it was aborted, or a signal
    /// interrupted the call.</returns>
    /// <exception cref="PlatformException">accept4 failed otherwise (EMFILE, ENFILE, ENOMEM: the connection stays queued).</exception>
    public bool TryAccept([NotNullWhen(true)] out UnixSeqPacketSocket? connection)
    {
        int fd = Interop.Libc.Accept4(_handle, null, null, Interop.Libc.SOCK_CLOEXEC | Interop.Libc.SOCK_NONBLOCK);
        if (fd >= 0)
        {
            connection = new UnixSeqPacketSocket(new SafeFileHandle(fd, ownsHandle: true), nonBlocking: true);
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        connection = null;
        return errno is Interop.Libc.EAGAIN or Interop.Libc.ECONNABORTED or Interop.Libc.EINTR
            ? false
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

    /// <summary>Bounds how long a blocking <see cref="Receive"/> waits (then it returns <see cref="ReceiveStatus.WouldBlock"/>);
    /// zero or negative waits forever.</summary>
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
    /// <param name="pidfd">The pidfd (close-on-exec; the caller owns it) when the call succeeded; null otherwise.</param>
    /// <returns>true with the pidfd; false when the kernel lacks SO_PEERPIDFD (ENOPROTOOPT, EINVAL), in which case use
    /// <see cref="Pidfd.Open"/> on <see cref="GetPeerCredentials"/>'s pid.</returns>
    /// <exception cref="PlatformException">getsockopt failed otherwise: ESRCH or ENODATA when the peer process is gone.</exception>
    public bool TryGetPeerPidfd([NotNullWhen(true)] out SafeFileHandle? pidfd)
    {
        int fd;
        uint length = sizeof(int);
        if (Interop.Libc.GetSockOpt(_handle, Interop.Libc.SOL_SOCKET, Interop.Libc.SO_PEERPIDFD, &fd, &length) == 0)
        {
            pidfd = new SafeFileHandle(fd, ownsHandle: true);
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        pidfd = null;
        return errno is Interop.Libc.ENOPROTOOPT or Interop.Libc.EINVAL
            ? false
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

    /// <summary>Sends one message, waiting while a blocking socket's buffer is full; see <see cref="TrySend"/>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxFileDescriptors"/> handles.</exception>
    /// <exception cref="ArgumentNullException">A handle is null.</exception>
    /// <exception cref="ObjectDisposedException">A handle is closed.</exception>
    /// <exception cref="PlatformException">sendmsg failed: EAGAIN when a non-blocking socket's buffer is full, EPIPE or
    /// ECONNRESET when the peer is gone, EMSGSIZE, ...</exception>
    public void Send(ReadOnlySpan<byte> message, ReadOnlySpan<SafeHandle> handles = default)
    {
        if (!TrySend(message, handles))
        {
            throw new PlatformException("sendmsg", Interop.Libc.EAGAIN);
        }
    }

    /// <summary>Sends one message, whole, with the descriptors of up to <see cref="MaxFileDescriptors"/> handles (SCM_RIGHTS)
    /// when <paramref name="handles"/> is not empty.</summary>
    /// <remarks>The handles are held (AddRef) for the call and stay open here: the receiver gets its own copies. No SIGPIPE
    /// is raised (MSG_NOSIGNAL).</remarks>
    /// <returns>true when the message was sent; false when a non-blocking socket's buffer is full (EAGAIN): nothing was sent.</returns>
    /// <exception cref="ArgumentException">More than <see cref="MaxFileDescriptors"/> handles.</exception>
    /// <exception cref="ArgumentNullException">A handle is null.</exception>
    /// <exception cref="ObjectDisposedException">A handle is closed.</exception>
    /// <exception cref="PlatformException">sendmsg failed: EPIPE or ECONNRESET when the peer is gone, EMSGSIZE, EBADF, ...</exception>
    public bool TrySend(ReadOnlySpan<byte> message, ReadOnlySpan<SafeHandle> handles = default)
    {
        if (handles.Length > MaxFileDescriptors)
        {
            throw new ArgumentException($"At most {MaxFileDescriptors} descriptors per message, not {handles.Length}.", nameof(handles));
        }

        ulong* control = stackalloc ulong[RightsSpace / sizeof(ulong)]; // ulong: cmsghdr needs 8-byte alignment
        int held = 0;
        try
        {
            fixed (byte* data = message)
            {
                Interop.Libc.Iovec iov = new() { Base = data, Length = (nuint)message.Length };
                Interop.Libc.Msghdr header = new() { Iov = &iov, IovLength = 1 };
                if (!handles.IsEmpty)
                {
                    var cmsg = (Interop.Libc.Cmsghdr*)control;
                    cmsg->Length = (nuint)(CmsgHeaderSize + handles.Length * sizeof(int));      // CMSG_LEN
                    cmsg->Level = Interop.Libc.SOL_SOCKET;
                    cmsg->Type = Interop.Libc.SCM_RIGHTS;
                    int* numbers = (int*)((byte*)control + CmsgHeaderSize);
                    for (; held < handles.Length; held++)
                    {
                        SafeHandle handle = handles[held] ?? throw new ArgumentNullException(nameof(handles));
                        bool added = false;
                        handle.DangerousAddRef(ref added); // throws ObjectDisposedException when closed; never returns false
                        // HAZARD: the raw number goes into SCM_RIGHTS; the AddRef above holds it open until the finally's Release.
                        numbers[held] = (int)handle.DangerousGetHandle();
                    }

                    header.Control = control;
                    header.ControlLength = (nuint)(CmsgHeaderSize + Align(handles.Length * sizeof(int))); // CMSG_SPACE
                }

                while (true)
                {
                    if (Interop.Libc.SendMsg(_handle, &header, Interop.Libc.MSG_NOSIGNAL) >= 0)
                    {
                        return true; // a SOCK_SEQPACKET message goes whole or not at all
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == Interop.Libc.EAGAIN)
                    {
                        return false;
                    }

                    if (errno != Interop.Libc.EINTR)
                    {
                        throw new PlatformException("sendmsg", errno);
                    }
                }
            }
        }
        finally
        {
            for (int i = 0; i < held; i++)
            {
                handles[i].DangerousRelease();
            }
        }
    }

    /// <summary>Receives one message, the descriptors it carries (close-on-exec) and, after <see cref="EnablePassCredentials"/>, its sender.</summary>
    /// <param name="buffer">Where the message goes; a longer message is rejected.</param>
    /// <param name="fds">Where received descriptors go; the caller owns them (<see cref="FileDescriptor.Own"/>).</param>
    /// <param name="fdCount">How many descriptors were stored in <paramref name="fds"/>.</param>
    /// <param name="length">The message's length in bytes when the result is <see cref="ReceiveStatus.Message"/>, else 0.</param>
    /// <param name="sender">The sender's credentials when the message carried them (SO_PASSCRED), else null.</param>
    /// <remarks>
    /// The received descriptors are raw numbers because wrapping each in a handle would allocate; own each at once
    /// (<see cref="FileDescriptor.Own"/>). Nothing else holds them: the message that brought them is gone.
    /// </remarks>
    /// <returns>
    /// <see cref="ReceiveStatus.Message"/>; <see cref="ReceiveStatus.EndOfStream"/> when the peer closed;
    /// <see cref="ReceiveStatus.WouldBlock"/> when nothing is there yet (non-blocking, or the receive timeout passed);
    /// <see cref="ReceiveStatus.Rejected"/> when the message was truncated (longer than <paramref name="buffer"/>,
    /// MSG_TRUNC), its control data was (MSG_CTRUNC: more than <see cref="MaxFileDescriptors"/> descriptors), or it carried
    /// more descriptors than <paramref name="fds"/> holds. A rejected message is consumed and every descriptor it brought
    /// is closed, so a hostile peer cannot leak descriptors into this process; <paramref name="fdCount"/> is 0.
    /// </returns>
    /// <exception cref="PlatformException">recvmsg failed (ECONNRESET, EBADF, ...).</exception>
    public ReceiveStatus Receive(Span<byte> buffer, Span<int> fds, out int length, out int fdCount, out PeerCredentials? sender)
    {
        length = 0;
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
                    return ReceiveStatus.WouldBlock;
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
            nuint cmsgLength = cmsg->Length;
            if (cmsgLength < CmsgHeaderSize || cmsgLength > (nuint)(end - p))
            {
                break;
            }

            int dataLength = (int)cmsgLength - CmsgHeaderSize;
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

            nuint step = (nuint)Align((int)cmsgLength);
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

            return ReceiveStatus.Rejected;
        }

        fdCount = count;
        length = (int)received;
        return received == 0 ? ReceiveStatus.EndOfStream : ReceiveStatus.Message;
    }

    /// <summary>Whether the peer closed its end (it exited, or was killed): a zero-timeout poll, one system call.</summary>
    /// <exception cref="PlatformException">poll failed.</exception>
    public bool IsPeerClosed() =>
        (SinglePoll.Wait(_handle, Interop.Libc.POLLRDHUP, 0, "socket") & (Interop.Libc.POLLRDHUP | Interop.Libc.POLLHUP | Interop.Libc.POLLERR)) != 0;

    /// <summary>Shuts both directions down: the peer reads end of stream, and a thread blocked in <see cref="Receive"/> here returns <see cref="ReceiveStatus.EndOfStream"/>.</summary>
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

    private static int Align(int length) => (length + 7) & ~7; // CMSG_ALIGN on LP64 Linux (x86_64, arm64)

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
