using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Stats;

/// <summary>One device in a stats file: 256 bytes. The names are written once when the device starts; the host
/// updates <see cref="Isolated"/>, <see cref="FaultCount"/> and <see cref="RequestFailures"/> as they change.</summary>
[StructLayout(LayoutKind.Explicit, Size = StatsLayout.DeviceRecordSize)]
public unsafe struct DeviceStatsRecord
{
    /// <summary>Device name (<c>zip-0</c>), UTF-8, NUL-padded.</summary>
    [FieldOffset(0)] public fixed byte Name[StatsLayout.NameSize];

    /// <summary>The <c>algorithms</c> attribute, UTF-8, NUL-padded.</summary>
    [FieldOffset(32)] public fixed byte Algorithms[StatsLayout.AlgorithmsSize];

    /// <summary>Index of the device's first queue record.</summary>
    [FieldOffset(128)] public uint FirstQueue;

    /// <summary>Queue records of this device (its queue count); queue <c>i</c> is record <c>FirstQueue + i</c>.</summary>
    [FieldOffset(132)] public uint QueueCount;

    /// <summary>Workers: the device host threads that serve the queues.</summary>
    [FieldOffset(136)] public uint Workers;

    /// <summary>Ring depth of every queue.</summary>
    [FieldOffset(140)] public uint QueueDepth;

    /// <summary>The <c>flags</c> attribute (<see cref="DeviceFlags"/>).</summary>
    [FieldOffset(144)] public uint Flags;

    /// <summary>1 once the device has isolated itself (<c>isolate</c>), else 0.</summary>
    [FieldOffset(148)] public uint Isolated;

    /// <summary>Device faults (the failures that count against <c>isolate_strategy</c>) since it started.</summary>
    [FieldOffset(152)] public ulong FaultCount;

    /// <summary>The <c>engine</c> attribute (ZIP: <c>isal</c> or <c>zlib</c>), UTF-8, NUL-padded; empty for others.</summary>
    [FieldOffset(160)] public fixed byte Engine[StatsLayout.EngineSize];

    /// <summary>Requests whose execution failed inside the device (INTERNAL_ERROR completions that are not device
    /// faults: a library refusing a client's input) since it started; 0 in a file written before this field existed.</summary>
    [FieldOffset(192)] public ulong RequestFailures;
}
