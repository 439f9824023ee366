using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>Linux futex on a 32-bit word, which may live in memory shared between processes.</summary>
public static unsafe class Futex
{
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

        long rc = Interop.Libc.FutexSyscall(Interop.Libc.SYS_futex, (uint*)address, Interop.Libc.FUTEX_WAIT, expected, pts, null, 0);
        return rc == 0 || Marshal.GetLastPInvokeError() != Interop.Libc.ETIMEDOUT;
    }

    /// <summary>Wakes up to <paramref name="count"/> threads sleeping on the word.</summary>
    /// <returns>How many were woken.</returns>
    public static int Wake(nint address, int count = int.MaxValue)
    {
        long rc = Interop.Libc.FutexSyscall(Interop.Libc.SYS_futex, (uint*)address, Interop.Libc.FUTEX_WAKE, (uint)count, null, null, 0);
        return rc < 0 ? 0 : (int)rc;
    }
}
