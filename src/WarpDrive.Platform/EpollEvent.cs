using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>One readiness report (<c>struct epoll_event</c>), laid out as x86_64's: packed, 12 bytes, <see cref="Data"/> at
/// offset 4. On arm64 the kernel's struct is not packed (16 bytes, data at 8); <see cref="Epoll"/> converts there.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct EpollEvent
{
    /// <summary>What is ready.</summary>
    public EpollEvents Events;

    /// <summary>The value given to <see cref="Epoll.Add"/> for this descriptor.</summary>
    public ulong Data;
}
