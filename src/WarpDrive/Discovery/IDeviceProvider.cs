using System.Diagnostics.CodeAnalysis;

namespace WarpDrive.Discovery;

/// <summary>A source of devices: the in-process host, the broker's run directory, the kernel's /sys/class/uacce.</summary>
internal interface IDeviceProvider : IDisposable
{
    /// <summary>The <see cref="WdDeviceInfo.Location"/> of every device this provider offers.</summary>
    string Location { get; }

    /// <summary>Whether this provider's devices run on this process's own CPUs (the in-process models): a synchronous
    /// caller gains nothing by handing them a request.</summary>
    bool RunsOnCallerCpus => false;

    /// <summary>Devices this provider offers now.</summary>
    IReadOnlyList<WdDeviceInfo> GetDevices();

    /// <summary>Opens a queue on <paramref name="device"/>. With <paramref name="wait"/>, blocks until one is free
    /// (FIFO on the broker).</summary>
    /// <returns>false when the device has no free queue (or, waiting, is isolated).</returns>
    bool TryOpenQueue(WdDeviceInfo device, [NotNullWhen(true)] out QueueTransport? queue, bool wait, CancellationToken cancellationToken);

    /// <summary>Device-visible memory every device of this provider reaches in place.</summary>
    WdSharedMemory ReserveMemory(int length);
}
