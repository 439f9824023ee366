using System.Globalization;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Discovery;

/// <summary>Reads the kernel's uacce devices from <c>/sys/class/uacce</c> (or a tree laid out like it, for tests) and
/// speaks their attributes in libwd's terms: the kernel lists <c>algorithms</c> one per line and <c>flags</c> as a
/// number (<see cref="UacceDeviceFlags"/>), and keeps <c>numa_node</c> in the parent device
/// (<c>&lt;dev&gt;/device/numa_node</c>). Isolated devices are left out.</summary>
/// <remarks><see cref="KernelDevices"/> offers those that libwd has a driver for.</remarks>
internal static class KernelDeviceDirectory
{
    /// <summary>The <see cref="WdDeviceInfo.Location"/> of kernel devices.</summary>
    public const string Location = "kernel";

    /// <summary>Where the kernel lists uacce devices.</summary>
    public const string DefaultClassDirectory = "/sys/class/uacce";

    /// <summary>The usable devices under <paramref name="classDirectory"/>, sorted by name.</summary>
    public static IReadOnlyList<WdDeviceInfo> Read(string classDirectory)
    {
        var devices = new List<WdDeviceInfo>();
        foreach ((string name, IReadOnlyDictionary<string, string> raw) in UacceAttributeReader.ReadAll(classDirectory))
        {
            var attributes = new Dictionary<string, string>(raw, StringComparer.Ordinal);
            if (raw.TryGetValue(DeviceAttributeNames.Algorithms, out string? algorithms))
            {
                attributes[DeviceAttributeNames.Algorithms] = string.Join(' ', algorithms.Split((char[])['\n', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            }

            attributes[DeviceAttributeNames.Flags] = FlagWords(raw.GetValueOrDefault(DeviceAttributeNames.Flags));
            if (ReadNumaNode(Path.Combine(classDirectory, name)) is { } node)
            {
                attributes[DeviceAttributeNames.NumaNode] = node;
            }

            var device = new WdDeviceInfo(name, Location, attributes);
            if (!device.IsIsolated)
            {
                devices.Add(device);
            }
        }

        return devices;
    }

    /// <summary>The kernel's numeric <c>flags</c> as libwd's words: <c>SVA</c> for <see cref="UacceDeviceFlags.Sva"/>;
    /// a value that is not a number has no flags.</summary>
    internal static string FlagWords(string? flags) =>
        uint.TryParse(flags, NumberStyles.None, CultureInfo.InvariantCulture, out uint value) && ((UacceDeviceFlags)value).HasFlag(UacceDeviceFlags.Sva)
            ? "SVA"
            : "";

    /// <summary><c>device/numa_node</c> of a uacce device (the parent PCI device's node); null when there is none.</summary>
    private static string? ReadNumaNode(string deviceDirectory) =>
        UacceAttributeReader.ReadValue(Path.Combine(deviceDirectory, "device", DeviceAttributeNames.NumaNode)) is { } text
        && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? text : null;
}
