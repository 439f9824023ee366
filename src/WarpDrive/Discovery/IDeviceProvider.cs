namespace WarpDrive.Discovery;

/// <summary>A source of devices: the in-process host now; the broker's run directory and /sys/class/uacce later.</summary>
internal interface IDeviceProvider : IDisposable
{
    /// <summary>Devices this provider offers now.</summary>
    IReadOnlyList<WdDeviceInfo> GetDevices();

    /// <summary>Opens a queue on <paramref name="deviceName"/>; null when the device has no free queue.</summary>
    QueueTransport? TryOpenQueue(string deviceName);
}
