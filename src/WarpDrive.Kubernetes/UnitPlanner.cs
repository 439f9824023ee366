using WarpDrive.Kubernetes.DevicePluginApi;

namespace WarpDrive.Kubernetes;

/// <summary>The unit list one resource reports in ListAndWatch (pure: <c>UnitPlannerTests</c>). Each device of the
/// kind gives <c>queues × shares</c> units. All of a device's units are Unhealthy while the device is
/// (<see cref="NodeDevice.Unhealthy"/>). Otherwise queue use shows: queues in use beyond what the live allocations
/// may hold were taken by clients outside Kubernetes (a process on the node), so that many queues' worth of the
/// device's unallocated units, from the last, are Unhealthy: the scheduler must not count on queues it cannot have.</summary>
public static class UnitPlanner
{
    /// <summary>The health value of a usable unit (the kubelet's <c>v1beta1.Healthy</c>).</summary>
    public const string Healthy = "Healthy";

    /// <summary>The health value of an unusable unit (<c>v1beta1.Unhealthy</c>).</summary>
    public const string Unhealthy = "Unhealthy";

    /// <summary>The units of <paramref name="kind"/> on <paramref name="snapshot"/>'s devices.</summary>
    /// <param name="snapshot">The node.</param>
    /// <param name="kind">The resource's kind.</param>
    /// <param name="sharesPerQueue">Units per queue.</param>
    /// <param name="allocatedUnits">Units of live allocations.</param>
    /// <param name="allocatedQueues">The queues live allocations may hold on a device.</param>
    public static List<Device> Plan(NodeSnapshot snapshot, string kind, int sharesPerQueue, IReadOnlySet<string> allocatedUnits, Func<string, int> allocatedQueues)
    {
        var units = new List<Device>();
        foreach (NodeDevice device in snapshot.Devices.Where(d => d.Kind == kind))
        {
            int outside = device.Source == DeviceSource.Broker
                ? Math.Max(0, device.Queues - device.Available - allocatedQueues(device.Name))
                : 0; // a kernel device's queues are opened by whoever holds its node: none are the plugin's to count
            int unhealthyFree = outside * sharesPerQueue;
            var ids = new List<string>(device.Queues * sharesPerQueue);
            for (int queue = 0; queue < device.Queues; queue++)
            {
                for (int share = 0; share < sharesPerQueue; share++)
                {
                    ids.Add(UnitIds.Format(device.Name, queue, share, sharesPerQueue));
                }
            }

            var taken = new HashSet<string>(StringComparer.Ordinal);
            for (int i = ids.Count - 1; i >= 0 && taken.Count < unhealthyFree; i--)
            {
                if (!allocatedUnits.Contains(ids[i]))
                {
                    taken.Add(ids[i]);
                }
            }

            foreach (string id in ids)
            {
                var unit = new Device { ID = id, Health = device.Unhealthy is null && !taken.Contains(id) ? Healthy : Unhealthy };
                if (device.NumaNode >= 0)
                {
                    unit.Topology = new TopologyInfo { Nodes = { new NUMANode { ID = device.NumaNode } } };
                }

                units.Add(unit);
            }
        }

        return units;
    }
}
