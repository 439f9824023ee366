using WarpDrive.Scheduling;

namespace WarpDrive;

/// <summary>How a <see cref="WdRuntime"/> finds devices and runs them.</summary>
public sealed class WdRuntimeOptions
{
    /// <summary>Start in-process device models when no other device is present (the embedded default).
    /// The environment variable <c>WD_EMBEDDED=0</c> turns this off for <see cref="WdRuntime.Default"/>.</summary>
    public bool EmbeddedDevices { get; init; } = true;

    /// <summary>Shape of the embedded devices (queues, depth, workers).</summary>
    public WdEmbeddedDeviceOptions EmbeddedDeviceOptions { get; init; } = new();

    /// <summary>Deflate engine of the embedded ZIP device: <c>isal</c>, <c>zlib</c>, or null for the best present
    /// (<c>WD_ZIP_ENGINE</c> sets it for <see cref="WdRuntime.Default"/>).</summary>
    public string? EmbeddedZipEngine { get; init; }

    /// <summary>The default context count of a library not configured otherwise (<see cref="Libraries"/>,
    /// <see cref="WdRuntime.Initialize"/>, <c>WD_&lt;ALG&gt;_CTX_NUM</c>): this many synchronous and this many asynchronous
    /// contexts (queues) per device, shared by every operation, each group opened when first used. Requests are spread
    /// over them, and queue <c>i</c> of a device is served by its engine <c>i % engines</c>.</summary>
    public int MaxContextsPerAlgorithm { get; init; } = 2;

    /// <summary>Complete asynchronous requests from a background poller thread. When false, the application
    /// calls the sessions' <c>Poll</c> (UADK's wd_comp_poll, wd_cipher_poll, ...) to complete them.</summary>
    public bool BackgroundPolling { get; init; } = true;

    /// <summary>Per-library contexts, policy, polling and Mix threshold (UADK's wd_&lt;alg&gt;_init2 parameters); a
    /// library not named here gets the defaults of <see cref="LibraryOptions"/>. <see cref="FromEnvironment"/> fills it
    /// from <c>WD_&lt;ALG&gt;_CTX_NUM</c> and friends.</summary>
    public IReadOnlyDictionary<AlgorithmLibrary, LibraryOptions> Libraries { get; init; } = new Dictionary<AlgorithmLibrary, LibraryOptions>();

    /// <summary>Which devices to use: the kernel's, in-process, the broker's, or all (the libraries prefer kernel devices, then the
    /// broker's, by <see cref="WdDeviceInfo.Priority"/>). <c>WD_MODE</c> (<c>local</c>, <c>broker</c>, <c>kernel</c>,
    /// <c>auto</c>) sets it for <see cref="WdRuntime.Default"/>.</summary>
    public WdDeviceMode Mode { get; init; }

    /// <summary>Use only the device of this name (e.g. <c>zip-0</c>); <c>WD_DEVICE</c> sets it for
    /// <see cref="WdRuntime.Default"/>.</summary>
    public string? DeviceName { get; init; }

    /// <summary>The broker's run directory; null resolves it as wdd does (<c>WD_RUN_DIR</c>, /run/warpdrive for root,
    /// else $XDG_RUNTIME_DIR/warpdrive or /tmp/warpdrive-$UID).</summary>
    public string? BrokerRunDirectory { get; init; }

    /// <summary>Where the kernel's uacce devices are (and, for a device model, how their nodes open).</summary>
    public UacceOptions Uacce { get; init; } = new();

    /// <summary>Mix mode by default: each library's requests below its measured size run inline in the caller's thread
    /// (<see cref="LibraryOptions.InlineThreshold"/> overrides it per library). False offloads every request unless a
    /// library's options say otherwise (<c>WD_MIX_MODE=0</c>).</summary>
    public bool MixMode { get; init; } = true;

    /// <summary>How synchronous callers wait for their completions (<c>WD_SYNC_WAIT</c>: adaptive, spin or sleep).</summary>
    public SyncWaitStrategy SyncWait { get; init; }

    /// <summary>Options of <see cref="WdRuntime.Default"/>, read from the environment.</summary>
    /// <exception cref="ArgumentException"><c>WD_MODE</c> is not local, broker, kernel or auto, <c>WD_ZIP_ENGINE</c> not
    /// best, isal or zlib (or its alias zlib-ng), or <c>WD_SYNC_WAIT</c> not adaptive, spin or sleep.</exception>
    /// <exception cref="WdConfigurationException">A <c>WD_&lt;ALG&gt;_*</c> variable does not parse (the message names
    /// it).</exception>
    public static WdRuntimeOptions FromEnvironment() => new()
    {
        EmbeddedDevices = Environment.GetEnvironmentVariable("WD_EMBEDDED") is not ("0" or "false" or "no"),
        EmbeddedZipEngine = Environment.GetEnvironmentVariable("WD_ZIP_ENGINE") is var engine && Discovery.InProcessDevices.IsZipEngine(engine)
            ? engine
            : throw new ArgumentException($"unknown ZIP engine '{engine}' in WD_ZIP_ENGINE (best, isal or zlib)"),
        Mode = ParseMode(Environment.GetEnvironmentVariable("WD_MODE")),
        MixMode = Environment.GetEnvironmentVariable("WD_MIX_MODE") is not ("0" or "false" or "no"),
        SyncWait = SyncWaitStrategies.Parse(Environment.GetEnvironmentVariable("WD_SYNC_WAIT")),
        DeviceName = Environment.GetEnvironmentVariable("WD_DEVICE") is { Length: > 0 } device ? device : null,
        Uacce = new UacceOptions
        {
            ClassDirectory = Environment.GetEnvironmentVariable("WD_UACCE_CLASS_DIR") is { Length: > 0 } classDir ? classDir : UacceOptions.DefaultClassDirectory,
            DeviceDirectory = Environment.GetEnvironmentVariable("WD_UACCE_DEV_DIR") is { Length: > 0 } devDir ? devDir : UacceOptions.DefaultDeviceDirectory,
        },
        Libraries = AlgorithmLibraries.All
            .Select(library => (library, options: LibraryOptions.FromEnvironment(library)))
            .Where(e => e.options is not null)
            .ToDictionary(e => e.library, e => e.options!),
    };

    /// <summary>Parses <c>local</c>, <c>broker</c>, <c>kernel</c> or <c>auto</c> (null or empty: auto).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static WdDeviceMode ParseMode(string? mode) => mode?.ToLowerInvariant() switch
    {
        null or "" or "auto" => WdDeviceMode.Auto,
        "local" => WdDeviceMode.Local,
        "broker" => WdDeviceMode.Broker,
        "kernel" => WdDeviceMode.Kernel,
        _ => throw new ArgumentException($"unknown device mode '{mode}' (local, broker, kernel or auto)"),
    };
}
