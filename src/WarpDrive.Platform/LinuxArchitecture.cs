using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>Whether this process runs on a Linux architecture whose syscall numbers and struct layouts the platform
/// layer knows (x64 and arm64). Programs check <see cref="UnsupportedReason"/> at start-up and stop with its one line;
/// a library call on another architecture throws <see cref="PlatformNotSupportedException"/> with the same line.</summary>
public static class LinuxArchitecture
{
    /// <summary>The runtime identifier's architecture part of this process (<c>x64</c>, <c>arm64</c>), or its
    /// architecture's name in lower case where it is not supported.</summary>
    public static string Name => Interop.Libc.LinuxAbi.For(RuntimeInformation.ProcessArchitecture)?.Name
        ?? RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();

    /// <summary>Whether this process's architecture is supported.</summary>
    public static bool IsSupported => Interop.Libc.LinuxAbi.For(RuntimeInformation.ProcessArchitecture) is not null;

    /// <summary>One line that says why this process cannot use the platform layer; null where it can.</summary>
    public static string? UnsupportedReason => IsSupported ? null : Interop.Libc.LinuxAbi.UnsupportedMessage(RuntimeInformation.ProcessArchitecture);
}
