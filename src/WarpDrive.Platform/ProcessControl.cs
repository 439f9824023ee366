using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>Facts about processes and settings of this one: ids, ptrace permission, start times, open descriptors.</summary>
public static class ProcessControl
{
    /// <summary>
    /// Lets process <paramref name="pid"/> ptrace this one, and so use <see cref="ProcessMemory"/> on it, under Yama's
    /// <c>ptrace_scope</c> = 1 (<c>prctl(PR_SET_PTRACER)</c>). 0 clears it; -1 allows any process.
    /// </summary>
    /// <returns>true when set; false when Yama is absent (EINVAL), where same-uid access needs no such permission.</returns>
    /// <exception cref="PlatformException">prctl failed otherwise.</exception>
    public static bool SetPtracer(int pid)
    {
        // PR_SET_PTRACER_ANY is (unsigned long)-1: sign-extend.
        if (Interop.Libc.Prctl(Interop.Libc.PR_SET_PTRACER, (nuint)(nint)pid, 0, 0, 0) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno != Interop.Libc.EINVAL)
        {
            throw new PlatformException($"prctl(PR_SET_PTRACER, {pid})", errno);
        }

        return false;
    }

    /// <summary>This process's pid namespace as the kernel names it (<c>readlink /proc/self/ns/pid</c>, e.g.
    /// <c>pid:[4026531836]</c>), or null where it cannot be read.</summary>
    public static string? ReadPidNamespace()
    {
        try
        {
            return new FileInfo("/proc/self/ns/pid").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>This process's real user id.</summary>
    public static uint GetUid() => Interop.Libc.GetUid();

    /// <summary>This process's effective user id (the one permission checks use).</summary>
    public static uint GetEUid() => Interop.Libc.GetEUid();

    /// <summary>This process's id.</summary>
    public static int GetPid() => Environment.ProcessId;

    /// <summary>
    /// The start time of process <paramref name="pid"/> in clock ticks since boot (field 22 of <c>/proc/PID/stat</c>), as
    /// text: with the pid it identifies a process for good, since a reused pid comes with a later start time.
    /// </summary>
    /// <returns>The field; null when the process does not exist (any more).</returns>
    public static string? ReadStartTime(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // gone before or while reading (reading a vanished process's stat fails with ESRCH)
        }

        return ParseStartTime(stat);
    }

    /// <summary>The command name of process <paramref name="pid"/> (<c>/proc/PID/comm</c>, at most 15 bytes: what
    /// <c>ps</c> and <c>top</c> show).</summary>
    /// <returns>The name; null when the process does not exist (any more) or /proc does not show it to this user.</returns>
    public static string? ReadCommand(int pid)
    {
        try
        {
            string comm = File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
            return comm.Length == 0 ? null : comm;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>How many descriptors this process has open (entries of <c>/proc/self/fd</c>, less the one used to list them).</summary>
    public static int OpenFdCount()
    {
        int count = 0;
        foreach (string _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            count++;
        }

        return count - 1;
    }

    /// <summary>Field 22 of a <c>/proc/PID/stat</c> line, or null if malformed.</summary>
    /// <remarks>Field 2, the command name in parentheses, may itself hold spaces and parentheses: count from the LAST ')'.</remarks>
    internal static string? ParseStartTime(string stat)
    {
        int close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ") " come fields 3 (state), 4, ...: field 22 is the 20th.
        ReadOnlySpan<char> rest = stat.AsSpan(close + 1);
        int field = 2;
        foreach (Range range in rest.Split(' '))
        {
            ReadOnlySpan<char> value = rest[range];
            if (value.IsEmpty)
            {
                continue;
            }

            if (++field == 22)
            {
                return value.Trim().ToString();
            }
        }

        return null;
    }
}
