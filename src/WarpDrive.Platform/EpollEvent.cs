using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>One readiness report (<c>struct epoll_event</c>): packed on x86_64, 12 bytes, <see cref="Data"/> at offset 4.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct EpollEvent
{
    /// <summary>What is ready.</summary>
    public EpollEvents Events;

    /// <summary>The value given to <see cref="Epoll.Add"/> for this descriptor.</summary>
    public ulong Data;
}
