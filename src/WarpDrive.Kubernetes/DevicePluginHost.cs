using Grpc.Core;
using Microsoft.Extensions.Logging;
using WarpDrive.Kubernetes.DevicePluginApi;

namespace WarpDrive.Kubernetes;

/// <summary>The plugin: every <see cref="PluginOptions.PollInterval"/> it scans the node, updates each resource's
/// units (ListAndWatch sends the changes), and keeps each resource registered with the kubelet. It registers a
/// resource (a) when its first device appears, (b) when the kubelet's socket is new (a restarted kubelet deletes the
/// plugin sockets and recreates its own: the plugin listens again and registers), (c) when its own socket is gone,
/// and (d) when the broker's pid changes (a restarted wdd), and retries a failed registration on the next scan.</summary>
public sealed class DevicePluginHost : IAsyncDisposable
{
    private readonly PluginOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly NodeScanner _scanner;
    private readonly Dictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private NodeSnapshot _snapshot = new(null, []);

    /// <summary>Creates the plugin; <see cref="RunAsync"/> runs it.</summary>
    public DevicePluginHost(PluginOptions options, ILoggerFactory loggers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SharesPerQueue, 1);
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger("wd-k8s-plugin");
        _scanner = new NodeScanner(options);
        Allocations = new AllocationStore(options.RunDirectory);
    }

    /// <summary>The allocations made (and found at start).</summary>
    public AllocationStore Allocations { get; }

    /// <summary>The last scan of the node.</summary>
    public NodeSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The unit list of <paramref name="kind"/>'s resource, or null before its first device appeared.</summary>
    public ResourceState? State(string kind) => _resources.TryGetValue(kind, out Resource? r) ? r.State : null;

    /// <summary>Scans and registers until <paramref name="stop"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await TickAsync(stop).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // A file of the node that could not be read or written this time (a socket path in use, a full
                    // disk): the next scan tries again; the plugin must not stop serving what it registered.
                    _logger.ScanFailed(e.Message);
                }

                await Task.Delay(_options.PollInterval, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>One scan: units, endpoints, registrations.</summary>
    internal async Task TickAsync(CancellationToken cancellationToken)
    {
        NodeSnapshot snapshot = _scanner.Scan();
        Volatile.Write(ref _snapshot, snapshot);
        foreach (string kind in snapshot.Devices.Select(d => d.Kind).Distinct())
        {
            if (!_resources.ContainsKey(kind))
            {
                _resources.Add(kind, new Resource(new ResourceState(kind)));
            }
        }

        IReadOnlySet<string> allocated = Allocations.AllocatedUnits();
        string? kubelet = KubeletIdentity();
        foreach ((string kind, Resource resource) in _resources)
        {
            if (resource.State.Set(UnitPlanner.Plan(snapshot, kind, _options.SharesPerQueue, allocated, Allocations.AllocatedQueues)))
            {
                (IReadOnlyList<Device> units, _) = resource.State.Current;
                string why = string.Join("; ", snapshot.Devices.Where(d => d.Kind == kind && d.Unhealthy is not null).Select(d => d.Unhealthy));
                _logger.UnitsChanged(_options.ResourceName(kind), units.Count(u => u.Health == UnitPlanner.Healthy), units.Count, why.Length > 0 ? $" ({why})" : "");
            }

            await KeepRegisteredAsync(kind, resource, kubelet, snapshot.BrokerPid, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task KeepRegisteredAsync(string kind, Resource resource, string? kubelet, int? brokerPid, CancellationToken cancellationToken)
    {
        string socketPath = Path.Combine(_options.PluginDirectory, PluginOptions.EndpointName(kind));
        if (resource.Endpoint is null || !File.Exists(socketPath))
        {
            if (resource.Endpoint is not null)
            {
                await resource.Endpoint.DisposeAsync().ConfigureAwait(false);
                resource.Endpoint = null;
            }

            if (kubelet is null)
            {
                return; // no kubelet yet: listen once it is there (it removes sockets it finds when it starts)
            }

            var service = new DevicePluginService(_options, resource.State, Allocations, () => Snapshot, _loggers.CreateLogger<DevicePluginService>());
            resource.Endpoint = await PluginEndpoint.StartAsync(socketPath, service, cancellationToken).ConfigureAwait(false);
            resource.RegisteredWith = null;
        }

        bool brokerRestarted = brokerPid is not null && resource.RegisteredBroker is not null && brokerPid != resource.RegisteredBroker;
        if (kubelet is null || (kubelet == resource.RegisteredWith && !brokerRestarted))
        {
            return;
        }

        try
        {
            using var channel = UnixChannel.Create(_options.KubeletSocket);
            var registration = new Registration.RegistrationClient(channel);
            await registration.RegisterAsync(new RegisterRequest
            {
                Version = PluginOptions.ApiVersion,
                Endpoint = PluginOptions.EndpointName(kind),
                ResourceName = _options.ResourceName(kind),
                Options = DevicePluginService.Options,
            }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken);
            resource.RegisteredWith = kubelet;
            resource.RegisteredBroker = brokerPid ?? resource.RegisteredBroker;
            _logger.Registered(_options.ResourceName(kind), socketPath, brokerRestarted ? " (wdd restarted)" : "");
        }
        catch (RpcException e)
        {
            _logger.RegistrationFailed(_options.ResourceName(kind), e.StatusCode.ToString(), e.Status.Detail);
        }
    }

    /// <summary>Names the kubelet's socket file as it is now (its modification and birth times), or null when there
    /// is none: a restarted kubelet's socket is a new file, with new times.</summary>
    private string? KubeletIdentity()
    {
        var file = new FileInfo(_options.KubeletSocket);
        return file.Exists || File.Exists(_options.KubeletSocket) ? $"{file.LastWriteTimeUtc.Ticks}:{file.CreationTimeUtc.Ticks}" : null;
    }

    /// <summary>Stops serving: closes every endpoint and removes its socket.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (Resource resource in _resources.Values)
        {
            if (resource.Endpoint is not null)
            {
                await resource.Endpoint.DisposeAsync().ConfigureAwait(false);
                resource.Endpoint = null;
            }
        }
    }

    private sealed class Resource(ResourceState state)
    {
        public ResourceState State { get; } = state;

        public PluginEndpoint? Endpoint { get; set; }

        /// <summary>The kubelet socket it was last registered with.</summary>
        public string? RegisteredWith { get; set; }

        /// <summary>The broker pid when it was last registered.</summary>
        public int? RegisteredBroker { get; set; }
    }
}
