namespace WarpDrive.Broker;

/// <summary>The broker's epoll tokens: what woke the loop. Devices' listeners from bit 62 (by index), client pidfds
/// from bit 61 (by pid), client connections below (by connection id, from 1).</summary>
internal static class EpollTokens
{
    private const ulong DeviceBase = 1UL << 62;
    private const ulong PidfdBase = 1UL << 61;

    public static ulong Device(int index) => DeviceBase + (ulong)index;

    public static ulong Pidfd(int pid) => PidfdBase + (ulong)pid;

    /// <summary>Whether <paramref name="token"/> is a device's listener, and which.</summary>
    public static bool IsDevice(ulong token, out int index)
    {
        index = token >= DeviceBase ? (int)(token - DeviceBase) : -1;
        return index >= 0;
    }

    /// <summary>Whether <paramref name="token"/> is a client process's pidfd, and whose.</summary>
    public static bool IsPidfd(ulong token, out int pid)
    {
        pid = token is >= PidfdBase and < DeviceBase ? (int)(token - PidfdBase) : -1;
        return pid >= 0;
    }
}
