namespace WarpDrive.Kubernetes;

/// <summary>What the device plugin serves and where (the command line of <c>wd-k8s-plugin</c>; docs/KUBERNETES.md).</summary>
public sealed record PluginOptions
{
    /// <summary>The kubelet's device-plugin directory, where its registration socket and the plugins' sockets are.</summary>
    public const string DefaultPluginDirectory = "/var/lib/kubelet/device-plugins";

    /// <summary>The API version the plugin speaks (the kubelet's <c>v1beta1.Version</c>).</summary>
    public const string ApiVersion = "v1beta1";

    /// <summary>The broker's run directory on the node (its sockets, attribute tree, stats and allocation files).</summary>
    public required string RunDirectory { get; init; }

    /// <summary>The kubelet's device-plugin directory (<see cref="DefaultPluginDirectory"/>).</summary>
    public string PluginDirectory { get; init; } = DefaultPluginDirectory;

    /// <summary>The kubelet's registration socket: <c>kubelet.sock</c> in <see cref="PluginDirectory"/>.</summary>
    public string KubeletSocket => Path.Combine(PluginDirectory, "kubelet.sock");

    /// <summary>Where a container finds the run directory (its <c>WD_RUN_DIR</c>; default <c>/run/warpdrive</c>).</summary>
    public string ContainerRunDirectory { get; init; } = "/run/warpdrive";

    /// <summary>The resource names' domain: resources are <c>&lt;domain&gt;/&lt;kind&gt;</c> (<c>warpdrive.io/zip</c>).</summary>
    public string ResourceDomain { get; init; } = "warpdrive.io";

    /// <summary>Schedulable units per broker queue (1: a unit is a queue). With N, N containers may be given units of
    /// one queue; each allocation may then hold one queue per N units it has (rounded up), and the broker's queues
    /// are oversubscribed N times.</summary>
    public int SharesPerQueue { get; init; } = 1;

    /// <summary>The kernel's uacce class directory (<c>/sys/class/uacce</c>); its devices are offered too.</summary>
    public string UacceClassDirectory { get; init; } = "/sys/class/uacce";

    /// <summary>The kernel's device-node directory (<c>/dev</c>) of the uacce devices.</summary>
    public string UacceDeviceDirectory { get; init; } = "/dev";

    /// <summary>How often the node (broker, devices, kubelet socket) is looked at.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a device stays Unhealthy after its engine reported a fault (the broker's device fault count
    /// grew): a device whose faults have not (yet) isolated it is still one the scheduler should avoid meanwhile.</summary>
    public TimeSpan FaultHoldTime { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The resource name of <paramref name="kind"/>.</summary>
    public string ResourceName(string kind) => $"{ResourceDomain}/{kind}";

    /// <summary>The plugin's socket for <paramref name="kind"/> in <see cref="PluginDirectory"/>.</summary>
    public static string EndpointName(string kind) => $"warpdrive-{kind}.sock";
}
