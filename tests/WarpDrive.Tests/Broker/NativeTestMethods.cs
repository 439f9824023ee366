using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace WarpDrive.Tests.Broker;

/// <summary>The few libc calls the broker tests make that the platform layer does not wrap.</summary>
internal static partial class NativeTestMethods
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int EPERM = 1;
    public const int MAP_FIXED_NOREPLACE = 0x100000;

    /// <summary>kill(2).</summary>
    /// <exception cref="InvalidOperationException">The call failed.</exception>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>A duplicate of <paramref name="fd"/> WITHOUT close-on-exec: child processes inherit it.</summary>
    public static SafeFileHandle DuplicateInheritable(SafeHandle fd)
    {
        int copy = Dup(fd);
        return copy < 0 ? throw new InvalidOperationException($"dup failed: errno {Marshal.GetLastPInvokeError()}") : new SafeFileHandle(copy, ownsHandle: true);
    }

    /// <summary>ftruncate(2) on a raw descriptor; -1 with errno on failure.</summary>
    public static int Truncate(SafeFileHandle fd, long length, out int errno)
    {
        int result = FTruncate(fd, length);
        errno = result == 0 ? 0 : Marshal.GetLastPInvokeError();
        return result;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(SafeHandle fd);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int FTruncate(SafeFileHandle fd, long length);
}
