namespace WarpDrive.Abi;

/// <summary>Attribute names a device reports, as in Linux uacce's sysfs (<c>/sys/class/uacce/&lt;dev&gt;/</c>).</summary>
public static class DeviceAttributeNames
{
    /// <summary>Queue protocol the device speaks, e.g. <c>wd_ring_v1</c>.</summary>
    public const string Api = "api";
    /// <summary>Device flags, space-separated (<see cref="DeviceFlags"/>).</summary>
    public const string Flags = "flags";
    /// <summary>Algorithms, space-separated.</summary>
    public const string Algorithms = "algorithms";
    /// <summary>Free queues.</summary>
    public const string AvailableInstances = "available_instances";
    /// <summary>1 while the device is isolated.</summary>
    public const string Isolate = "isolate";
    /// <summary>Device-level faults tolerated before isolation (0: never isolate).</summary>
    public const string IsolateStrategy = "isolate_strategy";
    /// <summary>NUMA node (-1 when unknown).</summary>
    public const string NumaNode = "numa_node";
    /// <summary>Size of the doorbell (MMIO) region in bytes.</summary>
    public const string RegionMmioSize = "region_mmio_size";
    /// <summary>Size of the ring (DUS) region in bytes.</summary>
    public const string RegionDusSize = "region_dus_size";
}
