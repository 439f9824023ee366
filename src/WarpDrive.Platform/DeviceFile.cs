using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>A character device opened read-write (with <c>O_CLOEXEC</c>, as .NET opens every file): ioctls, regions
/// mapped shared at page offsets, and <c>poll()</c> for readiness. What a uacce queue file (<c>/dev/&lt;name&gt;-&lt;id&gt;</c>)
/// needs. Disposing unmaps every region it mapped, then closes the file.</summary>
public sealed unsafe class DeviceFile : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly List<(nint Address, long Length)> _mappings = [];

    private DeviceFile(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>The path it was opened from.</summary>
    public string Path { get; }

    /// <summary>Opens <paramref name="path"/> read-write.</summary>
    /// <exception cref="FileNotFoundException">No such device node.</exception>
    /// <exception cref="UnauthorizedAccessException">The node's permissions do not let this user open it.</exception>
    /// <exception cref="IOException">Another failure (EBUSY: a device with no free queue, ...).</exception>
    public static DeviceFile Open(string path) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite), path);

    /// <summary>Whether this process may open <paramref name="path"/> read-write (<c>access(2)</c>: the node's mode,
    /// owner and group against this user), without opening it: opening a uacce node takes a queue.</summary>
    public static bool CanOpenReadWrite(string path) => Interop.Libc.Access(path, Interop.Libc.R_OK | Interop.Libc.W_OK) == 0;

    /// <summary>Issues <paramref name="request"/> with <paramref name="argument"/> (a pointer to the request's
    /// structure, or null); returns the ioctl's non-negative result.</summary>
    /// <exception cref="PlatformException">The ioctl failed: ENOTTY when the file is not the device the request is
    /// for, EINVAL, EBUSY, ...</exception>
    public int Ioctl(uint request, void* argument)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        while (true)
        {
            int result = Interop.Libc.Ioctl(_handle, request, argument);
            if (result >= 0)
            {
                return result;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.Libc.EINTR)
            {
                throw new PlatformException($"ioctl 0x{request:X8} on {Path}", errno);
            }
        }
    }

    /// <summary>Maps <paramref name="length"/> bytes of region <paramref name="region"/> (file offset
    /// <paramref name="region"/> × page size) shared, read-write; the mapping lives until <see cref="Dispose"/>.</summary>
    /// <exception cref="PlatformException">mmap failed (EINVAL for a region or length the device refuses).</exception>
    public nint Map(int region, long length)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(region);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        void* address = Interop.Libc.MMap(null, (nuint)length, Interop.Libc.PROT_READ | Interop.Libc.PROT_WRITE, Interop.Libc.MAP_SHARED,
            _handle, (long)region * Environment.SystemPageSize);
        if (address == (void*)-1)
        {
            throw new PlatformException($"mmap of region {region} ({length} bytes) of {Path}", Marshal.GetLastPInvokeError());
        }

        _mappings.Add(((nint)address, length));
        return (nint)address;
    }

    /// <summary>Waits until the device reports the file readable (a uacce queue: a completion is ready), at most
    /// <paramref name="timeout"/> (negative: no limit).</summary>
    /// <returns>false when the time ran out.</returns>
    public bool WaitReadable(TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        int milliseconds = timeout < TimeSpan.Zero ? -1 : (int)Math.Min(int.MaxValue, Math.Ceiling(timeout.TotalMilliseconds));
        return SinglePoll.Wait(_handle, Interop.Libc.POLLIN, milliseconds, Path) != 0;
    }

    /// <summary>Unmaps every region, then closes the file (the kernel releases the queue once both are gone).</summary>
    public void Dispose()
    {
        foreach ((nint address, long length) in _mappings)
        {
            _ = Interop.Libc.MUnmap((void*)address, (nuint)length);
        }

        _mappings.Clear();
        _handle.Dispose();
    }
}
