using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WarpDrive.Kubernetes.DevicePluginApi;
using WarpDrive.Platform;

namespace WarpDrive.Kubernetes;

/// <summary>The kubelet's <c>v1beta1.DevicePlugin</c> service for one resource (one kind of device).</summary>
/// <remarks>Allocate gives a container what it needs to reach the node's devices of its units, and nothing else:
/// for broker units the run directory mounted read-only at <see cref="PluginOptions.ContainerRunDirectory"/> (device
/// sockets, attribute tree, <c>wdd.pid</c>) with an empty directory mounted over <c>&lt;run&gt;/alloc</c>, whose file
/// names are the tokens of every pod, <c>WD_RUN_DIR</c>, <c>WD_ALLOCATION</c> (a fresh allocation whose queue limit per device
/// is its units there divided by <see cref="PluginOptions.SharesPerQueue"/>, rounded up: the broker enforces it),
/// <c>WD_MODE</c> and, when the units are on one device, <c>WD_DEVICE</c>; for kernel units the device node and its
/// sysfs directory.</remarks>
public sealed class DevicePluginService(PluginOptions options, ResourceState state, AllocationStore allocations,
    Func<NodeSnapshot> node, ILogger<DevicePluginService> logger) : DevicePlugin.DevicePluginBase
{
    /// <summary>The options the plugin registers with: GetPreferredAllocation is offered; PreStartContainer is not needed.</summary>
    public static DevicePluginOptions Options { get; } = new() { PreStartRequired = false, GetPreferredAllocationAvailable = true };

    /// <inheritdoc/>
    public override Task<DevicePluginOptions> GetDevicePluginOptions(Empty request, ServerCallContext context) => Task.FromResult(Options);

    /// <inheritdoc/>
    public override async Task ListAndWatch(Empty request, IServerStreamWriter<ListAndWatchResponse> responseStream, ServerCallContext context)
    {
        // The stream ends when the kubelet closes it or when the plugin stops (not only after Kestrel's shutdown timeout).
        CancellationToken stopping = context.GetHttpContext().RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        int seen = 0;
        try
        {
            while (!end.IsCancellationRequested)
            {
                await state.WaitForChangeAsync(seen, end.Token).ConfigureAwait(false);
                (IReadOnlyList<Device> units, int version) = state.Current;
                seen = version;
                var response = new ListAndWatchResponse();
                response.Devices.AddRange(units);
                await responseStream.WriteAsync(response, end.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // The kubelet closed the stream (it restarted, or a new registration replaced it).
        }
    }

    /// <inheritdoc/>
    public override Task<PreferredAllocationResponse> GetPreferredAllocation(PreferredAllocationRequest request, ServerCallContext context)
    {
        var response = new PreferredAllocationResponse();
        foreach (ContainerPreferredAllocationRequest container in request.ContainerRequests)
        {
            var result = new ContainerPreferredAllocationResponse();
            result.DeviceIDs.AddRange(Prefer(container.AvailableDeviceIDs, container.MustIncludeDeviceIDs, container.AllocationSize));
            response.ContainerResponses.Add(result);
        }

        return Task.FromResult(response);
    }

    /// <summary>The preferred units: those that must be included, then units packed on as few devices as possible
    /// (a device the included units are on first, then the device with the most available units), so that a
    /// container's units share a device (<c>WD_DEVICE</c>) and a NUMA node.</summary>
    public static IReadOnlyList<string> Prefer(IEnumerable<string> available, IEnumerable<string> mustInclude, int size)
    {
        var chosen = mustInclude.Distinct(StringComparer.Ordinal).ToList();
        var used = chosen.Select(DeviceOf).ToHashSet(StringComparer.Ordinal);
        IEnumerable<string> rest = available.Except(chosen, StringComparer.Ordinal)
            .GroupBy(DeviceOf, StringComparer.Ordinal)
            .OrderByDescending(g => used.Contains(g.Key))
            .ThenByDescending(g => g.Count())
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Order(StringComparer.Ordinal));
        chosen.AddRange(rest.Take(Math.Max(0, size - chosen.Count)));
        return chosen;
    }

    /// <inheritdoc/>
    public override Task<AllocateResponse> Allocate(AllocateRequest request, ServerCallContext context)
    {
        NodeSnapshot snapshot = node();
        var response = new AllocateResponse();
        foreach (ContainerAllocateRequest container in request.ContainerRequests)
        {
            response.ContainerResponses.Add(AllocateContainer(container.DevicesIds, snapshot));
        }

        return Task.FromResult(response);
    }

    /// <inheritdoc/>
    public override Task<PreStartContainerResponse> PreStartContainer(PreStartContainerRequest request, ServerCallContext context) =>
        Task.FromResult(new PreStartContainerResponse()); // nothing to reset: a released queue is laid out afresh

    private ContainerAllocateResponse AllocateContainer(IReadOnlyCollection<string> units, NodeSnapshot snapshot)
    {
        var byDevice = new Dictionary<NodeDevice, int>();
        foreach (string unit in units)
        {
            NodeDevice device = snapshot.Devices.FirstOrDefault(d => d.Kind == state.Kind && UnitIds.TryGetDevice(unit, out string? name) && d.Name == name)
                ?? throw new RpcException(new Status(StatusCode.InvalidArgument, $"{unit} is no unit of {options.ResourceName(state.Kind)} on this node"));
            byDevice[device] = byDevice.GetValueOrDefault(device) + 1;
        }

        var response = new ContainerAllocateResponse();
        var broker = byDevice.Where(d => d.Key.Source == DeviceSource.Broker).ToDictionary(
            d => d.Key.Name, d => (d.Value + options.SharesPerQueue - 1) / options.SharesPerQueue, StringComparer.Ordinal);
        if (broker.Count > 0)
        {
            AllocationStore.Entry allocation = allocations.Create([.. units.Where(u => UnitIds.TryGetDevice(u, out string? d) && broker.ContainsKey(d))], broker);
            // The run directory whole (sockets, attribute tree, wdd.pid and wdd.pidns, which a broker restart replaces),
            // with an empty directory over its allocation files: container runtimes apply mounts parent first.
            response.Mounts.Add(new Mount { HostPath = options.RunDirectory, ContainerPath = options.ContainerRunDirectory, ReadOnly = true });
            response.Mounts.Add(new Mount { HostPath = allocations.EmptyDirectory, ContainerPath = RunDirectory.AllocationDirectory(options.ContainerRunDirectory), ReadOnly = true });
            response.Envs[RunDirectory.EnvironmentVariable] = options.ContainerRunDirectory;
            response.Envs[Abi.Broker.AllocationToken.EnvironmentVariable] = allocation.Token.ToString();
            logger.Allocated(string.Join(' ', units), options.ResourceName(state.Kind), string.Join(", ", broker.Select(b => $"{b.Key} {b.Value}")), allocation.Token.ToString()[..8]);
        }

        foreach (NodeDevice device in byDevice.Keys.Where(d => d.Source == DeviceSource.Kernel))
        {
            // Where libwd looks in the container (/dev, WD_UACCE_DEV_DIR's default), whatever the node's path.
            response.Devices.Add(new DeviceSpec { HostPath = device.DeviceNode, ContainerPath = "/dev/" + device.Name, Permissions = "rw" });
            response.Mounts.Add(new Mount { HostPath = device.SysfsDirectory, ContainerPath = Path.Combine("/sys/class/uacce", device.Name), ReadOnly = true });
        }

        bool kernel = byDevice.Keys.Any(d => d.Source == DeviceSource.Kernel);
        response.Envs["WD_MODE"] = broker.Count == 0 ? "kernel" : kernel ? "all" : "broker";
        if (byDevice.Count == 1)
        {
            response.Envs["WD_DEVICE"] = byDevice.Keys.First().Name;
        }

        return response;
    }

    private static string DeviceOf(string unit) => UnitIds.TryGetDevice(unit, out string? device) ? device : unit;
}
