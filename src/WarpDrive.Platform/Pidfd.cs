using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Platform;

/// <summary>Process file descriptors: a handle on one process that, unlike its pid, is never reused for another.</summary>
public static class Pidfd
{
    /// <summary>Opens a pidfd (close-on-exec) for process <paramref name="pid"/> (<c>pidfd_open</c>, Linux 5.3+).</summary>
    /// <remarks>HAZARD: the pid itself may already name a different process if the original has exited and been reaped;
    /// open the pidfd first, then check the process is the expected one (start time, credentials).</remarks>
    /// <exception cref="PlatformException">ESRCH: no such process; ENOSYS: kernel too old; EMFILE, ...</exception>
    public static SafeFileHandle Open(int pid)
    {
        long fd = Interop.Libc.PidfdOpenSyscall(Interop.Libc.LinuxAbi.Current.PidfdOpen, pid, 0);
        return fd < 0 ? throw PlatformException.FromLastError($"pidfd_open({pid})") : new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    /// <summary>Whether the process has exited (its pidfd polls readable); never waits.</summary>
    /// <exception cref="PlatformException">poll failed.</exception>
    public static bool HasExited(SafeFileHandle pidfd) => WaitForExit(pidfd, TimeSpan.Zero);

    /// <summary>Waits up to <paramref name="timeout"/> for the process to exit (its pidfd polls readable).</summary>
    /// <returns>Whether it has exited.</returns>
    /// <exception cref="PlatformException">poll failed.</exception>
    public static bool WaitForExit(SafeFileHandle pidfd, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pidfd);
        return (SinglePoll.Wait(pidfd, Interop.Libc.POLLIN, (int)timeout.TotalMilliseconds, "pidfd") & Interop.Libc.POLLIN) != 0;
    }
}
