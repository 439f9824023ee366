using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Stats;

/// <summary>The first 128 bytes of a stats file: identity, geometry and the publishing process.</summary>
/// <remarks>The writer fills every field, then stores <see cref="Magic"/> last; it raises <see cref="DeviceCount"/>
/// and <see cref="QueueCount"/> only after the records they cover are complete.</remarks>
[StructLayout(LayoutKind.Explicit, Size = StatsLayout.HeaderSize)]
public struct StatsHeader
{
    /// <summary><see cref="StatsLayout.Magic"/>, stored last.</summary>
    [FieldOffset(0)] public uint Magic;

    /// <summary><see cref="StatsLayout.Version"/>.</summary>
    [FieldOffset(4)] public ushort Version;

    /// <summary><see cref="StatsLayout.HeaderSize"/>.</summary>
    [FieldOffset(6)] public ushort HeaderSize;

    /// <summary><see cref="StatsLayout.DeviceRecordSize"/>.</summary>
    [FieldOffset(8)] public ushort DeviceRecordSize;

    /// <summary><see cref="StatsLayout.QueueRecordSize"/>.</summary>
    [FieldOffset(10)] public ushort QueueRecordSize;

    /// <summary>Device records in use (complete).</summary>
    [FieldOffset(12)] public uint DeviceCount;

    /// <summary>Queue records in use (complete).</summary>
    [FieldOffset(16)] public uint QueueCount;

    /// <summary>The publishing process.</summary>
    [FieldOffset(20)] public int Pid;

    /// <summary>The publishing process's start time (field 22 of <c>/proc/PID/stat</c>, clock ticks since boot): with
    /// the pid it tells a live publisher from a reused pid.</summary>
    [FieldOffset(24)] public ulong StartTime;

    /// <summary>Who publishes: a <see cref="StatsPublisher"/>.</summary>
    [FieldOffset(32)] public uint Publisher;

    /// <summary>Device records the file has room for.</summary>
    [FieldOffset(36)] public uint DeviceCapacity;

    /// <summary>Queue records the file has room for.</summary>
    [FieldOffset(40)] public uint QueueCapacity;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(44)] public uint Reserved0;
}
