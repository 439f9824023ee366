namespace WarpDrive.Platform;

/// <summary>Sends signals to other processes (kill(2)): a tool that started a child, such as a private broker, stops
/// it with SIGTERM so that it can clean up.</summary>
public static class ProcessSignal
{
    /// <summary>SIGTERM.</summary>
    public const int Terminate = 15;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>.</summary>
    /// <returns>false when the process no longer exists (ESRCH).</returns>
    /// <exception cref="PlatformException">Any other failure (EPERM: not ours).</exception>
    public static bool Send(int pid, int signal)
    {
        if (Interop.Libc.Kill(pid, signal) == 0)
        {
            return true;
        }

        PlatformException error = PlatformException.FromLastError("kill");
        return error.Errno == Interop.Libc.ESRCH ? false : throw error;
    }
}
