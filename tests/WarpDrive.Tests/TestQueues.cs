using WarpDrive.Devices;
using WarpDrive.Discovery;

namespace WarpDrive.Tests;

/// <summary>Queues for tests that need one and fail when none is free (the Try forms are for asserting that none is).</summary>
internal static class TestQueues
{
    /// <summary>A queue on the in-process device <paramref name="deviceName"/>.</summary>
    public static WdQueue OpenQueue(this InProcessDevices devices, string deviceName) =>
        devices.TryOpenQueue(deviceName, out QueueTransport? transport)
            ? new WdQueue(transport)
            : throw new InvalidOperationException($"{deviceName} has no free queue");

    /// <summary>A started queue of <paramref name="host"/> for <paramref name="domain"/>.</summary>
    public static HardwareQueue AllocateQueue(this DeviceHost host, Domain domain, nint regionBase = 0, DeviceTenant? tenant = null) =>
        host.TryAllocateQueue(domain, regionBase, tenant, out HardwareQueue? queue)
            ? queue
            : throw new InvalidOperationException($"{host.Name} has no free queue");
}
