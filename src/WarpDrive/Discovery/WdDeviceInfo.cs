using System.Globalization;
using WarpDrive.Abi;

namespace WarpDrive;

/// <summary>A snapshot of one device and its attributes (uacce's names: <c>api</c>, <c>flags</c>, <c>algorithms</c>,
/// <c>available_instances</c>, ...).</summary>
/// <param name="Name">Device name, e.g. <c>zip-0</c>.</param>
/// <param name="Location">Where the device comes from: <c>kernel</c> (a uacce device: hardware), <c>broker</c>,
/// <c>in-process</c>, or <c>inline</c> (Mix mode).</param>
/// <param name="Attributes">Attribute name to value.</param>
public sealed record WdDeviceInfo(string Name, string Location, IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The queue protocol (<c>api</c>).</summary>
    public string Api => Attributes.GetValueOrDefault(DeviceAttributeNames.Api, "");

    /// <summary>Algorithms the device implements.</summary>
    public IReadOnlyList<string> Algorithms =>
        Attributes.GetValueOrDefault(DeviceAttributeNames.Algorithms, "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Free queues at the time of the snapshot.</summary>
    public int AvailableInstances =>
        int.TryParse(Attributes.GetValueOrDefault(DeviceAttributeNames.AvailableInstances), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0;

    /// <summary>Whether the device offers SVA (<c>flags</c> has <c>SVA</c>): it reaches any address of the process.
    /// Without it, everything a request points at, data-list tables included, must be memory from
    /// <see cref="WdRuntime.ReserveMemory"/>.</summary>
    public bool HasSva => HasFlag("SVA");

    /// <summary>Whether the device offers SHARE (<c>flags</c> has <c>SHARE</c>): it reaches memory from
    /// <see cref="WdRuntime.ReserveMemory"/> in place, without a copy.</summary>
    public bool HasShare => HasFlag("SHARE");

    /// <summary>Whether the device has isolated itself (<c>isolate</c> is 1): libwd opens no queue on it.</summary>
    public bool IsIsolated => Attributes.GetValueOrDefault(DeviceAttributeNames.Isolate) == "1";

    private bool HasFlag(string flag) =>
        Attributes.GetValueOrDefault(DeviceAttributeNames.Flags, "").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(flag);

    /// <summary>The device's NUMA node (<c>numa_node</c>), or -1 when it does not say.</summary>
    public int NumaNode =>
        int.TryParse(Attributes.GetValueOrDefault(DeviceAttributeNames.NumaNode), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : -1;

    /// <summary>Which device the libraries prefer when several offer an algorithm, highest first: hardware (300) over
    /// the broker's devices (200) over in-process models (100); Mix mode's inline devices (0) are never picked
    /// for offload.</summary>
    public int Priority => Location switch
    {
        "broker" => 200,
        "in-process" => 100,
        "inline" => 0,
        _ => 300, // kernel
    };

    /// <summary>Whether the device implements <paramref name="algorithm"/>.</summary>
    public bool Supports(string algorithm) => Algorithms.Contains(algorithm, StringComparer.OrdinalIgnoreCase);
}
