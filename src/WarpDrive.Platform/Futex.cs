using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>Linux futex on a 32-bit word, which may live in memory shared between processes.</summary>
/// <remarks>Every operation is shared (no FUTEX_PRIVATE_FLAG), so waits and wakes meet across processes; nothing allocates.</remarks>
public static unsafe class Futex
{
    /// <summary>Most words <see cref="TryWaitAny"/> takes (FUTEX_WAITV_MAX).</summary>
    public const int MaxWaiters = Interop.Libc.FUTEX_WAITV_MAX;

    private static int s_waitAnySupport; // 0: not probed yet, 1: supported, -1: ENOSYS

    /// <summary>Whether the kernel has <c>futex_waitv</c> (Linux 5.16+), which <see cref="TryWaitAny"/> needs; probed once.</summary>
    public static bool IsWaitAnySupported
    {
        get
        {
            int support = Volatile.Read(ref s_waitAnySupport);
            if (support == 0)
            {
                // No waiters: a kernel with the call answers EINVAL; one without (or a seccomp filter) ENOSYS or EPERM.
                long rc = Interop.Libc.FutexWaitvSyscall(Interop.Libc.LinuxAbi.Current.FutexWaitv, null, 0, 0, null, Interop.Libc.CLOCK_MONOTONIC);
                support = rc < 0 && Marshal.GetLastPInvokeError() == Interop.Libc.EINVAL ? 1 : -1;
                Volatile.Write(ref s_waitAnySupport, support);
            }

            return support > 0;
        }
    }

    /// <summary>Sleeps while <c>*address == expected</c>, at most <paramref name="timeout"/> (infinite when negative).</summary>
    /// <returns>false on timeout; true when woken, interrupted or the word had already changed.</returns>
    public static bool Wait(nint address, uint expected, TimeSpan timeout)
    {
        Interop.Libc.Timespec ts;
        Interop.Libc.Timespec* pts = null;
        if (timeout >= TimeSpan.Zero)
        {
            long ticks = timeout.Ticks;
            ts.TvSec = ticks / TimeSpan.TicksPerSecond;
            ts.TvNsec = ticks % TimeSpan.TicksPerSecond * 100;
            pts = &ts;
        }

        long rc = Interop.Libc.FutexSyscall(Interop.Libc.LinuxAbi.Current.Futex, (uint*)address, Interop.Libc.FUTEX_WAIT, expected, pts, null, 0);
        return rc == 0 || Marshal.GetLastPInvokeError() != Interop.Libc.ETIMEDOUT;
    }

    /// <summary>Wakes up to <paramref name="count"/> threads sleeping on the word.</summary>
    /// <returns>How many were woken.</returns>
    public static int Wake(nint address, int count = int.MaxValue)
    {
        long rc = Interop.Libc.FutexSyscall(Interop.Libc.LinuxAbi.Current.Futex, (uint*)address, Interop.Libc.FUTEX_WAKE, (uint)count, null, null, 0);
        return rc < 0 ? 0 : (int)rc;
    }

    /// <summary>
    /// Sleeps until any word is woken (<see cref="Wake"/> on its address), at most <paramref name="timeout"/> (infinite when
    /// negative), provided every word still holds its <see cref="FutexWaiter.Value"/> when the wait begins (<c>futex_waitv</c>).
    /// </summary>
    /// <remarks>Like any futex wait it may return false without cause (a signal); callers re-check their words and loop.</remarks>
    /// <param name="waiters">The words, 1 to <see cref="MaxWaiters"/>.</param>
    /// <param name="timeout">How long to sleep at most; negative: no limit.</param>
    /// <param name="woken">The index of a woken waiter when the result is true; -1 otherwise.</param>
    /// <returns>true when a waiter was woken; false on timeout, when some word already differed (EAGAIN), on a signal
    /// (EINTR), or when a word is no longer mapped (EFAULT: another thread unmapped it after the caller read it).</returns>
    /// <exception cref="ArgumentException">No waiters, or more than <see cref="MaxWaiters"/>.</exception>
    /// <exception cref="PlatformException">futex_waitv failed otherwise: ENOSYS (see <see cref="IsWaitAnySupported"/>),
    /// EINVAL (a misaligned address, bad flags).</exception>
    public static bool TryWaitAny(ReadOnlySpan<FutexWaiter> waiters, TimeSpan timeout, out int woken)
    {
        woken = -1;
        if (waiters.IsEmpty || waiters.Length > MaxWaiters)
        {
            throw new ArgumentException($"futex_waitv takes 1 to {MaxWaiters} waiters, not {waiters.Length}.", nameof(waiters));
        }

        // futex_waitv's timeout is an absolute time on the clock named, here CLOCK_MONOTONIC.
        Interop.Libc.Timespec deadline;
        Interop.Libc.Timespec* pDeadline = null;
        if (timeout >= TimeSpan.Zero)
        {
            if (Interop.Libc.ClockGetTime(Interop.Libc.CLOCK_MONOTONIC, &deadline) != 0)
            {
                throw PlatformException.FromLastError("clock_gettime(CLOCK_MONOTONIC)");
            }

            long ticks = timeout.Ticks;
            deadline.TvSec += ticks / TimeSpan.TicksPerSecond;
            deadline.TvNsec += ticks % TimeSpan.TicksPerSecond * 100;
            if (deadline.TvNsec >= 1_000_000_000)
            {
                deadline.TvSec++;
                deadline.TvNsec -= 1_000_000_000;
            }

            pDeadline = &deadline;
        }

        fixed (FutexWaiter* p = waiters)
        {
            long rc = Interop.Libc.FutexWaitvSyscall(Interop.Libc.LinuxAbi.Current.FutexWaitv, p, (uint)waiters.Length, 0, pDeadline, Interop.Libc.CLOCK_MONOTONIC);
            if (rc >= 0)
            {
                woken = (int)rc;
                return true;
            }

            // EFAULT: a word's mapping went away between collecting it and the wait (a broker queue released and its
            // ring unmapped). The caller re-checks everything after any false, so it is a spurious wake-up, not an error.
            int errno = Marshal.GetLastPInvokeError();
            return errno is Interop.Libc.ETIMEDOUT or Interop.Libc.EAGAIN or Interop.Libc.EINTR or Interop.Libc.EFAULT
                ? false
                : throw new PlatformException("futex_waitv", errno);
        }
    }
}
