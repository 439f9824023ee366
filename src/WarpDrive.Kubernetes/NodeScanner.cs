using System.Globalization;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Platform;

namespace WarpDrive.Kubernetes;

/// <summary>Reads the node's devices: the broker's from its run directory (<c>wdd.pid</c>; its stats file for the
/// queue count, isolation and the device fault count; the attribute tree for <c>available_instances</c>,
/// <c>isolate</c> and <c>numa_node</c>), the kernel's from the uacce class directory. It remembers what it saw, so a
/// broker that is gone leaves its devices listed as Unhealthy (not vanished: the kubelet keeps the pods that hold
/// them), and a fault count that grew keeps a device Unhealthy for <see cref="PluginOptions.FaultHoldTime"/>.</summary>
public sealed class NodeScanner(PluginOptions options, Func<long>? clock = null)
{
    private const long NeverFaulted = long.MinValue;
    private readonly Func<long> _clock = clock ?? (() => Environment.TickCount64);
    private readonly Dictionary<string, (ulong Faults, long At)> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _kernelQueues = new(StringComparer.Ordinal);
    private IReadOnlyList<NodeDevice> _lastBrokerDevices = [];

    /// <summary>Looks at the node now.</summary>
    public NodeSnapshot Scan()
    {
        int? pid = BrokerPid();
        List<NodeDevice> devices = [];
        if (pid is { } running && TryReadStats(running) is { } stats)
        {
            _lastBrokerDevices = [.. stats.Devices.Select(BrokerDevice).OfType<NodeDevice>()];
            devices.AddRange(_lastBrokerDevices);
        }
        else
        {
            pid = null;
            string why = $"the broker is gone (no running wdd in {options.RunDirectory})";
            devices.AddRange(_lastBrokerDevices.Select(d => d with { Unhealthy = why, Available = 0 }));
        }

        devices.AddRange(KernelDevices());
        return new NodeSnapshot(pid, devices);
    }

    /// <summary>The pid in <c>wdd.pid</c> when that process runs.</summary>
    private int? BrokerPid()
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(options.RunDirectory, "wdd.pid")).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && Directory.Exists($"/proc/{pid}") ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The broker's stats file (<c>&lt;run&gt;/stats/&lt;pid&gt;-N.stats</c>, published by a broker).</summary>
    private StatsSnapshot? TryReadStats(int pid)
    {
        string directory = RunDirectory.StatsDirectory(options.RunDirectory);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        foreach (string path in Directory.EnumerateFiles(directory, $"{pid.ToString(CultureInfo.InvariantCulture)}-*{StatsLayout.Extension}"))
        {
            if (StatsFileReader.TryRead(path, out StatsSnapshot? snapshot, out _) && snapshot.Publisher == StatsPublisher.Broker && snapshot.Pid == pid)
            {
                return snapshot;
            }
        }

        return null;
    }

    private NodeDevice? BrokerDevice(DeviceSnapshot device)
    {
        if (DeviceKinds.Of(device.Name) is not { } kind)
        {
            return null;
        }

        string directory = RunDirectory.DeviceClassDirectory(options.RunDirectory, device.Name);
        int free = ReadInt(directory, DeviceAttributeNames.AvailableInstances) ?? device.Queues.Count(q => q.State == QueueStatsState.Free);
        bool isolated = device.IsIsolated || ReadInt(directory, DeviceAttributeNames.Isolate) == 1;
        string? unhealthy = isolated ? $"{device.Name} is isolated after {device.FaultCount} device faults"
            : FaultedRecently(device.Name, device.FaultCount) ? $"{device.Name}'s engine faulted (device faults: {device.FaultCount})"
            : null;
        return new NodeDevice
        {
            Name = device.Name,
            Kind = kind,
            Source = DeviceSource.Broker,
            Queues = device.Queues.Count,
            Available = free,
            NumaNode = ReadInt(directory, DeviceAttributeNames.NumaNode) ?? -1,
            Unhealthy = unhealthy,
        };
    }

    /// <summary>Whether the fault count of <paramref name="device"/> grew within <see cref="PluginOptions.FaultHoldTime"/>
    /// (a count first seen above 0 counts as grown now).</summary>
    private bool FaultedRecently(string device, ulong faults)
    {
        long now = _clock();
        bool known = _faults.TryGetValue(device, out var seen);
        if (!known || faults != seen.Faults)
        {
            // A restarted broker counts from 0 again: a smaller count is a new broker, not a fault.
            bool grew = faults > (known ? seen.Faults : 0);
            seen = (faults, grew ? now : NeverFaulted);
            _faults[device] = seen;
        }

        return seen.At != NeverFaulted && now - seen.At < (long)options.FaultHoldTime.TotalMilliseconds;
    }

    private IEnumerable<NodeDevice> KernelDevices()
    {
        if (!Directory.Exists(options.UacceClassDirectory))
        {
            yield break;
        }

        foreach (string directory in Directory.EnumerateFileSystemEntries(options.UacceClassDirectory).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(directory);
            if (DeviceKinds.Of(name) is not { } kind || ReadInt(directory, DeviceAttributeNames.AvailableInstances) is not { } free)
            {
                continue;
            }

            int queues = Math.Max(free, _kernelQueues.GetValueOrDefault(name));
            _kernelQueues[name] = queues;
            string node = Path.Combine(options.UacceDeviceDirectory, name);
            string? unhealthy = !File.Exists(node) ? $"{node} is gone"
                : ReadInt(directory, DeviceAttributeNames.Isolate) == 1 ? $"{name} is isolated"
                : null;
            yield return new NodeDevice
            {
                Name = name,
                Kind = kind,
                Source = DeviceSource.Kernel,
                Queues = queues,
                Available = free,
                NumaNode = ReadInt(directory, DeviceAttributeNames.NumaNode) ?? -1,
                Unhealthy = unhealthy,
                SysfsDirectory = new DirectoryInfo(directory).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? directory,
                DeviceNode = node,
            };
        }
    }

    private static int? ReadInt(string directory, string attribute)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(directory, attribute)).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value)
                ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
