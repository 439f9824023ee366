using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>
/// Copies memory to and from another process (<c>process_vm_readv</c> / <c>process_vm_writev</c>) without attaching to it.
/// </summary>
/// <remarks>
/// The caller needs ptrace access to the target: same uid and, under Yama's <c>ptrace_scope</c> = 1, the target must be a
/// descendant or have named the caller with <see cref="ProcessControl.SetPtracer"/>; or CAP_SYS_PTRACE. A remote address is
/// only a number: a bad one yields false, never a crash. Nothing here allocates.
/// HAZARD: a pid can be reused once its process is gone; pair it with a pidfd or the start time to be sure it is the same process.
/// </remarks>
public static unsafe class ProcessMemory
{
    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="remoteAddress"/> in process <paramref name="pid"/> into <paramref name="local"/>.</summary>
    /// <returns>true when every byte was copied (always for length 0); false when the process is gone, access is denied,
    /// or the range is (partly) unmapped.</returns>
    public static bool TryRead(int pid, ulong remoteAddress, void* local, nuint length) => TryRead(pid, remoteAddress, local, length, out _);

    /// <summary>Reads like <see cref="TryRead(int, ulong, void*, nuint)"/> and says why it failed.</summary>
    /// <param name="errno">0 on success; the call's errno (ESRCH, EPERM, EFAULT, ...) on failure; EFAULT for a short copy
    /// (the range ran into an unmapped or unreadable page part-way).</param>
    public static bool TryRead(int pid, ulong remoteAddress, void* local, nuint length, out int errno)
    {
        if (length == 0)
        {
            errno = 0;
            return true;
        }

        Interop.Libc.Iovec localIov = new() { Base = local, Length = length };
        Interop.Libc.Iovec remoteIov = new() { Base = (void*)remoteAddress, Length = length };
        nint moved = Interop.Libc.ProcessVmReadv(pid, &localIov, 1, &remoteIov, 1, 0);
        return Result(moved, length, out errno);
    }

    /// <summary>Writes <paramref name="length"/> bytes from <paramref name="local"/> to <paramref name="remoteAddress"/> in process <paramref name="pid"/>.</summary>
    /// <returns>true when every byte was copied (always for length 0); false when the process is gone, access is denied,
    /// or the range is (partly) unmapped or read-only. A false may still have written a prefix of the range.</returns>
    public static bool TryWrite(int pid, ulong remoteAddress, void* local, nuint length) => TryWrite(pid, remoteAddress, local, length, out _);

    /// <summary>Writes like <see cref="TryWrite(int, ulong, void*, nuint)"/> and says why it failed.</summary>
    /// <param name="errno">0 on success; the call's errno on failure; EFAULT for a short copy.</param>
    public static bool TryWrite(int pid, ulong remoteAddress, void* local, nuint length, out int errno)
    {
        if (length == 0)
        {
            errno = 0;
            return true;
        }

        Interop.Libc.Iovec localIov = new() { Base = local, Length = length };
        Interop.Libc.Iovec remoteIov = new() { Base = (void*)remoteAddress, Length = length };
        nint moved = Interop.Libc.ProcessVmWritev(pid, &localIov, 1, &remoteIov, 1, 0);
        return Result(moved, length, out errno);
    }

    private static bool Result(nint moved, nuint length, out int errno)
    {
        if (moved < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return false;
        }

        // A partial count means a page part-way through the range could not be reached.
        errno = (nuint)moved == length ? 0 : Interop.Libc.EFAULT;
        return errno == 0;
    }
}
