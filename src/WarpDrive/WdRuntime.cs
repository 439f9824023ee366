using System.Diagnostics.CodeAnalysis;
using WarpDrive.Discovery;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive;

/// <summary>libwd's entry point: finds devices, opens queues on them, and keeps the contexts the algorithm
/// libraries share. <see cref="Default"/> is what the Stream adapters and sessions use unless told otherwise.</summary>
public sealed class WdRuntime : IDisposable
{
    private static readonly Lazy<WdRuntime> s_default = new(() => new WdRuntime(WdRuntimeOptions.FromEnvironment()));

    private readonly Lock _lock = new();
    private readonly List<IDeviceProvider> _providers = [];
    private readonly Dictionary<AlgorithmLibrary, LibraryScheduler> _schedulers = [];
    private InProcessDevices? _inlineDevices;
    private bool _disposed;

    /// <summary>Creates a runtime; devices are discovered (and embedded ones started) on first use.</summary>
    public WdRuntime(WdRuntimeOptions? options = null)
    {
        Options = options ?? new WdRuntimeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxContextsPerAlgorithm, nameof(options));
    }

    /// <summary>Sets up <paramref name="library"/>'s contexts, scheduler and polling in one call (UADK's
    /// wd_&lt;alg&gt;_init2): the contexts are opened now, so that a configuration the devices cannot satisfy fails here,
    /// not at the first request. Overrides <see cref="WdRuntimeOptions.Libraries"/> for this library.</summary>
    /// <exception cref="WdConfigurationException">A value is out of range, or the library is already in use (a session
    /// of it was opened, or it was initialised before).</exception>
    /// <exception cref="WdDeviceNotFoundException">No device offers the library's algorithms, or the devices have fewer
    /// free queues than the contexts asked for.</exception>
    public void Initialize(AlgorithmLibrary library, LibraryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(library.ToString());
        LibraryScheduler scheduler;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_schedulers.ContainsKey(library))
            {
                throw new WdConfigurationException(library.ToString(), $"the {library} library is already in use (initialised, or a session of it was opened)");
            }

            scheduler = new LibraryScheduler(this, library, options);
            _schedulers.Add(library, scheduler);
        }

        try
        {
            scheduler.OpenAll(PrimaryAlgorithm(library));
        }
        catch
        {
            lock (_lock)
            {
                _schedulers.Remove(library);
            }

            scheduler.Dispose();
            throw;
        }
    }

    private static string PrimaryAlgorithm(AlgorithmLibrary library) => library switch
    {
        AlgorithmLibrary.Comp => "deflate",
        AlgorithmLibrary.Cipher => "cipher",
        AlgorithmLibrary.Digest => "digest",
        AlgorithmLibrary.Aead => "aead",
        AlgorithmLibrary.Rsa => "rsa",
        AlgorithmLibrary.Dh => "dh",
        _ => "ecdsa",
    };

    /// <summary>Which path served <paramref name="library"/>'s requests so far: inline in the callers' threads (Mix
    /// mode) or through a device's queues. Counting costs the request path nothing (a store under a lock it holds).</summary>
    public WdRequestPaths GetRequestPaths(AlgorithmLibrary library)
    {
        LibraryScheduler[] schedulers;
        lock (_lock)
        {
            schedulers = [.. _schedulers.Values];
        }

        long inline = 0, queued = 0;
        var seen = new HashSet<WdContext>();
        foreach (LibraryScheduler scheduler in schedulers)
        {
            scheduler.CountRequests(library, seen, ref inline, ref queued);
        }

        return new WdRequestPaths(inline, queued);
    }

    /// <summary>The scheduler of <paramref name="library"/>, set up on first use from <see cref="Initialize"/>,
    /// <see cref="WdRuntimeOptions.Libraries"/> or the defaults.</summary>
    internal LibraryScheduler Scheduler(AlgorithmLibrary library)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_schedulers.TryGetValue(library, out LibraryScheduler? scheduler))
            {
                LibraryOptions options = Options.Libraries.GetValueOrDefault(library) ?? new LibraryOptions();
                options.Validate($"WD_{AlgorithmLibraries.EnvironmentName(library)}");
                scheduler = new LibraryScheduler(this, library, options);
                _schedulers.Add(library, scheduler);
            }

            return scheduler;
        }
    }

    /// <summary>The process-wide runtime (options from the environment).</summary>
    public static WdRuntime Default => s_default.Value;

    /// <summary>This runtime's options.</summary>
    public WdRuntimeOptions Options { get; }

    /// <summary>All devices this runtime may use (see <see cref="WdRuntimeOptions.Mode"/>), with their current
    /// attributes: in-process ones first, then the broker's, then the kernel's (the libraries prefer by
    /// <see cref="WdDeviceInfo.Priority"/>: kernel, broker, in-process).</summary>
    public IReadOnlyList<WdDeviceInfo> Devices => Providers().SelectMany(p => p.GetDevices()).ToArray();

    /// <summary>Opens a queue on a device that implements <paramref name="algorithm"/> (uacce: open the chrdev).
    /// Isolated devices are skipped; <see cref="WdRuntimeOptions.DeviceName"/> narrows the choice to one device.</summary>
    /// <exception cref="WdDeviceNotFoundException">No such device, or none has a free queue.</exception>
    public WdQueue RequestQueue(string algorithm) => RequestQueue(algorithm, wait: false);

    /// <summary>As <see cref="RequestQueue(string)"/>; with <paramref name="wait"/>, when every device is busy, waits
    /// on the first one until a queue is released (in FIFO order with other waiters on a broker device).</summary>
    /// <exception cref="WdDeviceNotFoundException">No such device, or (without waiting) none has a free queue.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> ended the wait.</exception>
    public WdQueue RequestQueue(string algorithm, bool wait, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        (IDeviceProvider Provider, WdDeviceInfo Device)? first = null;
        foreach ((IDeviceProvider provider, WdDeviceInfo device) in Offering(algorithm))
        {
            if (device.IsIsolated)
            {
                continue;
            }

            first ??= (provider, device);
            if (provider.TryOpenQueue(device, out QueueTransport? transport, wait: false, cancellationToken))
            {
                return new WdQueue(transport);
            }
        }

        if (wait && first is { } target && target.Provider.TryOpenQueue(target.Device, out QueueTransport? waited, wait: true, cancellationToken))
        {
            return new WdQueue(waited);
        }

        throw NoDevice(algorithm);
    }

    /// <summary>Every device of every provider, highest <see cref="WdDeviceInfo.Priority"/> first (in provider order
    /// within a priority).</summary>
    private IEnumerable<(IDeviceProvider Provider, WdDeviceInfo Device)> ByPriority() =>
        Providers().SelectMany(p => p.GetDevices().Select(d => (Provider: p, Device: d))).OrderByDescending(e => e.Device.Priority);

    /// <summary>The devices that offer <paramref name="algorithm"/> (narrowed by <see cref="WdRuntimeOptions.DeviceName"/>),
    /// highest priority first, isolated ones included.</summary>
    private IEnumerable<(IDeviceProvider Provider, WdDeviceInfo Device)> Offering(string algorithm) =>
        ByPriority().Where(e => e.Device.Supports(algorithm) && (Options.DeviceName is not { } name || e.Device.Name == name));

    /// <summary>The devices that offer <paramref name="algorithm"/> and are not isolated, highest priority first.</summary>
    internal IReadOnlyList<WdDeviceInfo> CandidateDevices(string algorithm) =>
        [.. Offering(algorithm).Select(e => e.Device).Where(d => !d.IsIsolated)];

    /// <summary>Why no queue for <paramref name="algorithm"/> can be had: no device offers it, every one is
    /// isolated, or every one is busy.</summary>
    internal WdDeviceNotFoundException NoDevice(string algorithm)
    {
        WdDeviceInfo[] offering = [.. Offering(algorithm).Select(e => e.Device)];
        string which = Options.DeviceName is null ? $"'{algorithm}'" : $"'{algorithm}' named {Options.DeviceName}";
        return new WdDeviceNotFoundException(
            offering.Length == 0 ? $"no {ModeText}device offers {which}"
            : offering.All(d => d.IsIsolated) ? $"every device for {which} is isolated"
            : $"every device for {which} is busy (available_instances is 0)");
    }

    /// <summary>Opens a queue on <paramref name="device"/> (from <see cref="CandidateDevices"/> or
    /// <see cref="InlineDevice"/>).</summary>
    /// <returns>false when it has no free queue or is gone.</returns>
    internal bool TryOpenQueue(WdDeviceInfo device, [NotNullWhen(true)] out WdQueue? queue)
    {
        IDeviceProvider? provider = ProviderOf(device);
        try
        {
            queue = provider is not null && provider.TryOpenQueue(device, out QueueTransport? transport, wait: false, CancellationToken.None)
                ? new WdQueue(transport)
                : null;
            return queue is not null;
        }
        catch (WdException) when (provider is not null && !provider.GetDevices().Any(d => d.Name == device.Name))
        {
            queue = null;
            return false; // the device went away (its broker exited) since it was listed: no queue, not an error
        }
        // Any other refusal (EACCES from the device's socket mode) propagates with its own message.
    }

    /// <summary>Whether <paramref name="device"/> runs on this process's own CPUs (<see cref="IDeviceProvider.RunsOnCallerCpus"/>).</summary>
    internal bool RunsOnCallerCpus(WdDeviceInfo device) => ProviderOf(device)?.RunsOnCallerCpus == true;

    /// <summary>The provider <paramref name="device"/> came from, found by location: listing the devices for every
    /// queue would read the broker's attribute tree each time.</summary>
    private IDeviceProvider? ProviderOf(WdDeviceInfo device) => device.Location == InProcessDevices.InlineLocation
        ? _inlineDevices
        : Providers().FirstOrDefault(p => p.Location == device.Location);

    /// <summary>Mix mode's inline device for <paramref name="algorithm"/>: the same device model as the in-process
    /// one, without workers (made on first use).</summary>
    internal WdDeviceInfo InlineDevice(string algorithm)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _inlineDevices ??= new InProcessDevices(Options.EmbeddedDeviceOptions.ToHostOptions(), Options.EmbeddedZipEngine, inline: true);
            return _inlineDevices.GetDevices().FirstOrDefault(d => d.Supports(algorithm))
                   ?? throw new WdDeviceNotFoundException($"no inline device offers '{algorithm}'");
        }
    }

    /// <summary>A queue on the inline device that offers <paramref name="algorithm"/>: the software a kernel device's
    /// driver sends what its hardware lacks to. Null when no inline device offers it or all its queues are taken.</summary>
    internal QueueTransport? OpenSoftwareQueue(string algorithm)
    {
        WdDeviceInfo device;
        try
        {
            device = InlineDevice(algorithm);
        }
        catch (WdDeviceNotFoundException)
        {
            return null;
        }

        return _inlineDevices!.TryOpenQueue(device, out QueueTransport? transport, wait: false, CancellationToken.None) ? transport : null;
    }

    /// <summary>The contexts every library opened on <paramref name="device"/>.</summary>
    internal WdContext[] ContextsOnDevice(WdDeviceInfo device)
    {
        LibraryScheduler[] schedulers;
        lock (_lock)
        {
            schedulers = [.. _schedulers.Values];
        }

        return [.. schedulers.SelectMany(s => s.Contexts).Where(c => c.Queue.Device.Name == device.Name && c.Queue.Device.Location == device.Location)];
    }

    private string ModeText => Options.Mode switch
    {
        WdDeviceMode.Local => "in-process ",
        WdDeviceMode.Broker => "broker ",
        WdDeviceMode.Kernel => "kernel ",
        _ => "",
    };

    /// <summary>Memory every device reaches without a copy (SHARE mode): a region the broker made when this runtime
    /// uses the broker, native memory in this process's domain otherwise. Buffers from here are read and written in
    /// place, and a data list may point into them.</summary>
    /// <exception cref="WdException">The broker refused (over its per-user cap) or cannot be reached.</exception>
    public WdSharedMemory ReserveMemory(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        IDeviceProvider provider = Providers().FirstOrDefault(p => p.GetDevices().Count > 0)
                                   ?? throw new WdDeviceNotFoundException($"no {ModeText}device to share memory with");
        return provider.ReserveMemory(length);
    }

    /// <summary>Releases a queue (same as disposing it).</summary>
    public static void ReleaseQueue(WdQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        queue.Dispose();
    }

    /// <summary>The embedded device named <paramref name="name"/>, if this runtime started one (tests, diagnostics).</summary>
    internal Devices.DeviceHost? FindEmbeddedHost(string name) =>
        Providers().OfType<InProcessDevices>().Select(p => p.FindHost(name)).FirstOrDefault(h => h is not null);

    /// <summary>Whether the embedded device named <paramref name="name"/> has started (its host starts with the first
    /// queue opened on it; tests).</summary>
    internal bool IsEmbeddedDeviceStarted(string name) => Providers().OfType<InProcessDevices>().Any(p => p.IsStarted(name));

    /// <summary>Mix mode's inline device named <paramref name="name"/> (<c>zip-inline</c>, ...), if this runtime made
    /// them (tests, diagnostics).</summary>
    internal Devices.DeviceHost? FindInlineHost(string name) => _inlineDevices?.FindHost(name);

    /// <summary>The domain of the embedded devices, if this runtime started them (tests, diagnostics).</summary>
    internal Devices.Domain? EmbeddedDomain => Providers().OfType<InProcessDevices>().FirstOrDefault()?.Domain;

    /// <summary>The providers of <see cref="WdRuntimeOptions.Mode"/>, created on first use.</summary>
    private IDeviceProvider[] Providers()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_providers.Count == 0)
            {
                if (Options.Mode is WdDeviceMode.Auto or WdDeviceMode.Local && Options.EmbeddedDevices)
                {
                    _providers.Add(new InProcessDevices(Options.EmbeddedDeviceOptions.ToHostOptions(), Options.EmbeddedZipEngine));
                }

                if (Options.Mode is WdDeviceMode.Auto or WdDeviceMode.Broker)
                {
                    _providers.Add(new BrokerDevices(Platform.RunDirectory.Resolve(Options.BrokerRunDirectory)));
                }

                // Last in the list (memory is reserved from the first provider with devices), first by priority.
                if (Options.Mode is WdDeviceMode.Auto or WdDeviceMode.Kernel)
                {
                    _providers.Add(new KernelDevices(Options.Uacce, onlyAccessible: Options.Mode == WdDeviceMode.Auto, OpenSoftwareQueue));
                }
            }

            return [.. _providers];
        }
    }

    /// <summary>Releases every context and stops the embedded devices.</summary>
    public void Dispose()
    {
        LibraryScheduler[] schedulers;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            schedulers = [.. _schedulers.Values];
        }

        // Outside the lock: a scheduler takes its own lock, and elsewhere it calls into the runtime while holding it.
        foreach (LibraryScheduler scheduler in schedulers)
        {
            scheduler.Dispose();
        }

        foreach (IDeviceProvider provider in _providers)
        {
            provider.Dispose();
        }

        _inlineDevices?.Dispose();
    }
}
