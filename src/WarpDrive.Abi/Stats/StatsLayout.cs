namespace WarpDrive.Abi.Stats;

/// <summary>Byte layout of a stats file (<c>&lt;run&gt;/stats/&lt;pid&gt;-&lt;n&gt;.stats</c>): the live counters of one
/// process's devices and queues, mapped shared by the process that hosts them and read by <c>wd top</c>.
/// See docs/STATS.md.</summary>
/// <remarks>A <see cref="StatsHeader"/>, then <see cref="StatsHeader.DeviceCapacity"/> device records, then
/// <see cref="StatsHeader.QueueCapacity"/> queue records. Each queue record is 128 bytes on its own pair of cache
/// lines, so engines serving neighbouring queues never write the same line.</remarks>
public static class StatsLayout
{
    /// <summary>"WDS1" read as a little-endian u32.</summary>
    public const uint Magic = 0x31534457;

    /// <summary>Layout version stored in the header.</summary>
    public const ushort Version = 1;

    /// <summary>Size of the header.</summary>
    public const int HeaderSize = 128;

    /// <summary>Size of one device record.</summary>
    public const int DeviceRecordSize = 256;

    /// <summary>Size of one queue record.</summary>
    public const int QueueRecordSize = 128;

    /// <summary>Bytes of a device name field (UTF-8, NUL-padded).</summary>
    public const int NameSize = 32;

    /// <summary>Bytes of the algorithms field (UTF-8, space-separated, NUL-padded, truncated at a name).</summary>
    public const int AlgorithmsSize = 96;

    /// <summary>Bytes of the engine field (the ZIP device's deflate engine; empty for others).</summary>
    public const int EngineSize = 32;

    /// <summary>Most devices one file holds.</summary>
    public const int MaxDevices = 256;

    /// <summary>Most queues one file holds, all devices together.</summary>
    public const int MaxQueues = 65536;

    /// <summary>File name extension of a stats file.</summary>
    public const string Extension = ".stats";

    /// <summary>Offset of device record <paramref name="index"/>.</summary>
    public static int DeviceOffset(int index) => HeaderSize + (index * DeviceRecordSize);

    /// <summary>Offset of queue record <paramref name="index"/> in a file of <paramref name="deviceCapacity"/> device records.</summary>
    public static int QueueOffset(int deviceCapacity, int index) => DeviceOffset(deviceCapacity) + (index * QueueRecordSize);

    /// <summary>File size for <paramref name="deviceCapacity"/> devices and <paramref name="queueCapacity"/> queues.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is negative or above <see cref="MaxDevices"/> or
    /// <see cref="MaxQueues"/>.</exception>
    public static int FileSize(int deviceCapacity, int queueCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(queueCapacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(deviceCapacity, MaxDevices);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queueCapacity, MaxQueues);
        return QueueOffset(deviceCapacity, queueCapacity);
    }
}
