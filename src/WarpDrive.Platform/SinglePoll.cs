using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary><c>poll()</c> on one descriptor, retried on EINTR, with the handle held (AddRef) for the call so that a
/// concurrent dispose cannot close the number and let it be reused under us.</summary>
internal static unsafe class SinglePoll
{
    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> (-1: no limit) for <paramref name="events"/>.</summary>
    /// <returns>The events that occurred (<c>revents</c>); 0 when the time ran out.</returns>
    /// <exception cref="PlatformException">poll failed; the message names <paramref name="what"/>.</exception>
    public static short Wait(SafeHandle handle, short events, int timeoutMilliseconds, string what)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            // HAZARD: the raw number goes into struct pollfd; the AddRef above holds it open until the finally's Release.
            Interop.Libc.PollFd entry = new() { Fd = (int)handle.DangerousGetHandle(), Events = events };
            int ready;
            while ((ready = Interop.Libc.Poll(&entry, 1, timeoutMilliseconds)) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.Libc.EINTR)
                {
                    throw new PlatformException($"poll({what})", errno);
                }
            }

            return ready > 0 ? entry.Revents : (short)0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
