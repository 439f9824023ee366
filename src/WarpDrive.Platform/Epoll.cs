using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>An epoll instance (close-on-exec), level-triggered: waits for any of many descriptors to become ready.</summary>
/// <remarks>
/// HAZARD: epoll watches the open file, not the number: close a descriptor only after <see cref="Remove"/>, or a
/// duplicate left elsewhere (a forked child, a dup) keeps it reporting under the old <c>data</c>.
/// </remarks>
public sealed unsafe class Epoll : IDisposable
{
    // How many events one Wait reads where the kernel's struct is not the public one's layout (arm64): a stack buffer.
    private const int AlignedBatch = 64;

    // Whether the kernel's struct epoll_event is packed like EpollEvent (x86_64): then Wait reads into the caller's span.
    private static readonly bool s_packed = Interop.Libc.LinuxAbi.Current.EpollEventSize == sizeof(EpollEvent);

    private readonly SafeFileHandle _handle;

    /// <summary>Creates the instance (<c>epoll_create1(EPOLL_CLOEXEC)</c>).</summary>
    /// <exception cref="PlatformException">epoll_create1 failed (EMFILE, ENOMEM).</exception>
    public Epoll()
    {
        int fd = Interop.Libc.EpollCreate1(Interop.Libc.EPOLL_CLOEXEC);
        _handle = fd < 0 ? throw PlatformException.FromLastError("epoll_create1") : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Starts watching <paramref name="handle"/>'s descriptor for <paramref name="events"/>; <see cref="Wait"/> reports it with <paramref name="data"/>.</summary>
    /// <remarks>The handle is held (AddRef) only for the call: keep it open while it is watched and <see cref="Remove"/> it before disposing it.</remarks>
    /// <exception cref="ObjectDisposedException"><paramref name="handle"/> is closed.</exception>
    /// <exception cref="PlatformException">epoll_ctl failed: EEXIST (already watched), EPERM (a regular file), ...</exception>
    public void Add(SafeHandle handle, EpollEvents events, ulong data) => Control(Interop.Libc.EPOLL_CTL_ADD, handle, events, data, "epoll_ctl(ADD)");

    /// <summary>Changes what <paramref name="handle"/>'s descriptor is watched for, and its data.</summary>
    /// <exception cref="ObjectDisposedException"><paramref name="handle"/> is closed.</exception>
    /// <exception cref="PlatformException">epoll_ctl failed: ENOENT (not watched), ...</exception>
    public void Modify(SafeHandle handle, EpollEvents events, ulong data) => Control(Interop.Libc.EPOLL_CTL_MOD, handle, events, data, "epoll_ctl(MOD)");

    /// <summary>Stops watching <paramref name="handle"/>'s descriptor; one not watched, or a handle already closed
    /// (the kernel dropped the watch with the last reference), is ignored.</summary>
    /// <exception cref="PlatformException">epoll_ctl failed otherwise.</exception>
    public void Remove(SafeHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.IsClosed)
        {
            return;
        }

        if (Interop.Libc.EpollCtl(_handle, Interop.Libc.EPOLL_CTL_DEL, handle, null) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is not (Interop.Libc.ENOENT or Interop.Libc.EBADF))
            {
                throw new PlatformException("epoll_ctl(DEL)", errno);
            }
        }
    }

    /// <summary>Waits until a watched descriptor is ready, at most <paramref name="timeoutMs"/> ms (-1: forever, 0: just look).</summary>
    /// <returns>How many entries of <paramref name="events"/> were filled; 0 on timeout or when a signal interrupted the wait.</returns>
    /// <exception cref="ArgumentException"><paramref name="events"/> is empty.</exception>
    /// <exception cref="PlatformException">epoll_wait failed.</exception>
    public int Wait(Span<EpollEvent> events, int timeoutMs)
    {
        if (events.IsEmpty)
        {
            throw new ArgumentException("Room for at least one event is needed.", nameof(events));
        }

        int count;
        if (s_packed)
        {
            fixed (EpollEvent* p = events)
            {
                count = Interop.Libc.EpollWait(_handle, p, events.Length, timeoutMs);
            }
        }
        else
        {
            // The kernel writes 16-byte events here (arm64): read at most a stack buffer's worth, then copy them out.
            int room = Math.Min(events.Length, AlignedBatch);
            Interop.Libc.AlignedEpollEvent* aligned = stackalloc Interop.Libc.AlignedEpollEvent[room];
            count = Interop.Libc.EpollWait(_handle, aligned, room, timeoutMs);
            for (int i = 0; i < count; i++)
            {
                events[i] = new EpollEvent { Events = aligned[i].Events, Data = aligned[i].Data };
            }
        }

        if (count >= 0)
        {
            return count;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == Interop.Libc.EINTR ? 0 : throw new PlatformException("epoll_wait", errno);
    }

    /// <summary>Closes the instance; later calls do nothing.</summary>
    public void Dispose() => _handle.Dispose();

    private void Control(int op, SafeHandle handle, EpollEvents events, ulong data, string call)
    {
        ArgumentNullException.ThrowIfNull(handle);
        EpollEvent packed = new() { Events = events, Data = data };
        Interop.Libc.AlignedEpollEvent aligned = new() { Events = events, Data = data };
        if ((s_packed ? Interop.Libc.EpollCtl(_handle, op, handle, &packed) : Interop.Libc.EpollCtl(_handle, op, handle, &aligned)) != 0)
        {
            throw PlatformException.FromLastError(call);
        }
    }
}
