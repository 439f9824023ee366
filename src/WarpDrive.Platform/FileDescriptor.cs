using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>Raw file descriptors: closing one, owning one received from another process, duplicating one.</summary>
public static class FileDescriptor
{
    /// <summary>Closes a raw descriptor.</summary>
    /// <remarks>
    /// HAZARD: close a number only once, and only one nobody else holds: the kernel reuses the lowest free number at once,
    /// so a second close may close an unrelated file opened in between (by any thread). Owned descriptors belong in a
    /// <see cref="SafeFileHandle"/> (<see cref="Own"/>) instead. EINTR is not retried: Linux has released the number anyway.
    /// </remarks>
    /// <exception cref="PlatformException">EBADF: the number was not open (a double close somewhere).</exception>
    public static void Close(int fd)
    {
        if (Interop.Libc.Close(fd) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Libc.EBADF)
            {
                throw new PlatformException($"close({fd})", errno);
            }
        }
    }

    /// <summary>Wraps a descriptor this process now owns (one received with SCM_RIGHTS, say); disposing the handle closes it.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    public static SafeFileHandle Own(int fd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Duplicates a descriptor (<c>F_DUPFD_CLOEXEC</c>): the copy shares the open file and is closed on exec.</summary>
    /// <exception cref="PlatformException">fcntl failed (EMFILE, EBADF).</exception>
    public static SafeFileHandle Duplicate(SafeHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        int copy = Interop.Libc.Fcntl(fd, Interop.Libc.F_DUPFD_CLOEXEC, 0);
        return copy < 0 ? throw PlatformException.FromLastError("fcntl(F_DUPFD_CLOEXEC)") : new SafeFileHandle(copy, ownsHandle: true);
    }
}
