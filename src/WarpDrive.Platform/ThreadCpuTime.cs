namespace WarpDrive.Platform;

/// <summary>CPU time of the calling thread (<c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>): user plus system time this
/// thread alone has used, for tools that measure what a submitting thread pays per request.</summary>
public static unsafe class ThreadCpuTime
{
    /// <summary>The calling thread's CPU time so far, in nanoseconds.</summary>
    /// <exception cref="PlatformException">clock_gettime failed.</exception>
    public static long Nanoseconds()
    {
        Interop.Libc.Timespec time;
        if (Interop.Libc.ClockGetTime(Interop.Libc.CLOCK_THREAD_CPUTIME_ID, &time) != 0)
        {
            throw PlatformException.FromLastError("clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
        }

        return (time.TvSec * 1_000_000_000L) + time.TvNsec;
    }
}
