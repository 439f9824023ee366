using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>
/// A memfd-backed <c>MAP_SHARED</c> read/write mapping: created and sealed by one process (<see cref="Create"/>), its
/// descriptor passed to another over SCM_RIGHTS and mapped there (<see cref="Map"/>).
/// </summary>
/// <remarks>
/// The mapping is excluded from fork children (<c>MADV_DONTFORK</c>). There is deliberately no finalizer: unmapping
/// behind code that still holds <see cref="Address"/> would turn a leak into a crash, so dispose it explicitly.
/// </remarks>
public sealed unsafe class SharedMemoryRegion : IDisposable
{
    /// <summary>The seals <see cref="Create"/> adds: the size is fixed for good.</summary>
    public const uint CreateSeals = Interop.Libc.F_SEAL_SHRINK | Interop.Libc.F_SEAL_GROW | Interop.Libc.F_SEAL_SEAL;

    private readonly SafeFileHandle _handle;
    private nint _address;

    private SharedMemoryRegion(SafeFileHandle handle, nint address, long length)
    {
        _handle = handle;
        _address = address;
        Length = length;
    }

    /// <summary>Start of the mapping; page-aligned. Zero after <see cref="Dispose"/>.</summary>
    public nint Address => _address;

    /// <summary>Length of the mapping in bytes: the requested size rounded up to whole pages.</summary>
    public long Length { get; }

    /// <summary>The memfd; valid until <see cref="Dispose"/> or <see cref="CloseHandle"/>, closed afterwards.</summary>
    public SafeFileHandle Handle => _handle;

    /// <summary>
    /// Creates an anonymous memory file of <paramref name="size"/> bytes (rounded up to 4096), seals its size
    /// (<see cref="CreateSeals"/>), maps it read/write shared and faults every page in.
    /// </summary>
    /// <remarks>HAZARD: every page is allocated here (RAM or swap, charged to this process's memory cgroup): bound
    /// <paramref name="size"/> before calling with a size that came from a request.</remarks>
    /// <param name="name">Name shown in <c>/proc/PID/fd</c> and <c>/proc/PID/maps</c> (<c>memfd:name</c>); at most 249 bytes.</param>
    /// <param name="size">Bytes wanted; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive or too large.</exception>
    /// <exception cref="PlatformException">A call failed (EMFILE, ENOMEM, ...); nothing is left open or mapped.</exception>
    public static SharedMemoryRegion Create(string name, long size)
    {
        ArgumentNullException.ThrowIfNull(name);
        long length = RoundToPages(size);

        // MFD_NOEXEC_SEAL (6.3+) keeps the data from ever being executed; older kernels refuse the flag with EINVAL.
        int fd = Interop.Libc.MemfdCreate(name, Interop.Libc.MFD_CLOEXEC | Interop.Libc.MFD_ALLOW_SEALING | Interop.Libc.MFD_NOEXEC_SEAL);
        if (fd < 0 && Marshal.GetLastPInvokeError() == Interop.Libc.EINVAL)
        {
            fd = Interop.Libc.MemfdCreate(name, Interop.Libc.MFD_CLOEXEC | Interop.Libc.MFD_ALLOW_SEALING);
        }

        if (fd < 0)
        {
            throw PlatformException.FromLastError("memfd_create");
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        nint address = 0;
        try
        {
            if (Interop.Libc.FTruncate(handle, length) != 0)
            {
                throw PlatformException.FromLastError("ftruncate");
            }

            if (Interop.Libc.Fcntl(handle, Interop.Libc.F_ADD_SEALS, (int)CreateSeals) != 0)
            {
                throw PlatformException.FromLastError("fcntl(F_ADD_SEALS)");
            }

            address = MapShared(handle, length);
            Prefault(address, length);
            return new SharedMemoryRegion(handle, address, length);
        }
        catch
        {
            if (address != 0)
            {
                _ = Interop.Libc.MUnmap((void*)address, (nuint)length);
            }

            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps <paramref name="size"/> bytes (rounded up to whole pages) of a memfd received from another process,
    /// read/write shared. Takes ownership of <paramref name="fd"/>: it is closed on failure and by <see cref="Dispose"/>.
    /// </summary>
    /// <remarks>
    /// HAZARD: if the file can still shrink (no <c>F_SEAL_SHRINK</c>, see <see cref="GetSeals"/>), its owner can truncate it
    /// later and any access past the new end raises SIGBUS, which kills the process. Map untrusted files only when sealed.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive or too large.</exception>
    /// <exception cref="IOException">The file is smaller than <paramref name="size"/>.</exception>
    /// <exception cref="PlatformException">fstat or mmap failed.</exception>
    public static SharedMemoryRegion Map(SafeFileHandle fd, long size)
    {
        ArgumentNullException.ThrowIfNull(fd);
        nint address = 0;
        long length = 0;
        try
        {
            length = RoundToPages(size);
            Interop.Libc.Stat st;
            if (Interop.Libc.FStatSyscall(Interop.Libc.LinuxAbi.Current.Fstat, fd, &st) != 0)
            {
                throw PlatformException.FromLastError("fstat");
            }

            // Pages wholly past the end of the file would raise SIGBUS on access; the last partial page is fine.
            if (st.Size < size)
            {
                throw new IOException($"Shared memory file is {st.Size} bytes, smaller than the {size} bytes to map.");
            }

            address = MapShared(fd, length);
            return new SharedMemoryRegion(fd, address, length);
        }
        catch
        {
            if (address != 0)
            {
                _ = Interop.Libc.MUnmap((void*)address, (nuint)length);
            }

            fd.Dispose();
            throw;
        }
    }

    /// <summary>The seals on a memfd (<c>F_GET_SEALS</c>): <c>F_SEAL_SEAL</c> = 1, <c>SHRINK</c> = 2, <c>GROW</c> = 4, <c>WRITE</c> = 8, <c>EXEC</c> = 0x20.</summary>
    /// <exception cref="PlatformException">EINVAL: not a memfd (or other file that supports sealing).</exception>
    public static uint GetSeals(SafeFileHandle fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        int seals = Interop.Libc.Fcntl(fd, Interop.Libc.F_GET_SEALS, 0);
        return seals < 0 ? throw PlatformException.FromLastError("fcntl(F_GET_SEALS)") : (uint)seals;
    }

    /// <summary>Closes the memfd but keeps the mapping (once it has been passed on, it is no longer needed here).</summary>
    public void CloseHandle() => _handle.Dispose();

    /// <summary>Unmaps the region and closes the memfd; later calls do nothing.</summary>
    public void Dispose()
    {
        nint address = Interlocked.Exchange(ref _address, 0);
        if (address != 0)
        {
            _ = Interop.Libc.MUnmap((void*)address, (nuint)Length);
        }

        _handle.Dispose();
    }

    private static long RoundToPages(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, long.MaxValue - Interop.Libc.PageSize);
        return (size + Interop.Libc.PageSize - 1) & ~(long)(Interop.Libc.PageSize - 1);
    }

    private static nint MapShared(SafeFileHandle handle, long length)
    {
        void* p = Interop.Libc.MMap(null, (nuint)length, Interop.Libc.PROT_READ | Interop.Libc.PROT_WRITE, Interop.Libc.MAP_SHARED, handle, 0);
        if (p == (void*)-1)
        {
            throw PlatformException.FromLastError("mmap");
        }

        // Keep the mapping out of fork children (Process.Start forks): no copy-on-write surprises, no leak into helpers.
        if (Interop.Libc.MAdvise(p, (nuint)length, Interop.Libc.MADV_DONTFORK) != 0)
        {
            var e = PlatformException.FromLastError("madvise(MADV_DONTFORK)");
            _ = Interop.Libc.MUnmap(p, (nuint)length);
            throw e;
        }

        return (nint)p;
    }

    // Allocate every page now, so running out of memory fails here with ENOMEM instead of a SIGBUS on first touch.
    private static void Prefault(nint address, long length)
    {
        if (Interop.Libc.MAdvise((void*)address, (nuint)length, Interop.Libc.MADV_POPULATE_WRITE) == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno != Interop.Libc.EINVAL)
        {
            throw new PlatformException("madvise(MADV_POPULATE_WRITE)", errno);
        }

        // Before Linux 5.14: write each page (still zero) ourselves; a shortage then is a SIGBUS, not an error.
        for (long offset = 0; offset < length; offset += Interop.Libc.PageSize)
        {
            Volatile.Write(ref *(byte*)(address + (nint)offset), 0);
        }
    }
}
