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
    private readonly Dictionary<string, List<WdContext>> _contexts = [];
    private readonly Dictionary<AlgorithmLibrary, LibraryOptions> _libraryOptions = [];
    private int _nextContext;
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
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_libraryOptions.TryAdd(library, options))
            {
                throw new WdConfigurationException(library.ToString(), $"the {library} library is already initialised");
            }
        }
    }

    /// <summary>The process-wide runtime (options from the environment).</summary>
    public static WdRuntime Default => s_default.Value;

    /// <summary>This runtime's options.</summary>
    public WdRuntimeOptions Options { get; }

    /// <summary>All devices this runtime may use (see <see cref="WdRuntimeOptions.Mode"/>), with their current
    /// attributes: in-process ones first, then the broker's.</summary>
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
        bool seen = false, isolated = false;
        (IDeviceProvider Provider, WdDeviceInfo Device)? first = null;
        foreach (IDeviceProvider provider in Providers())
        {
            foreach (WdDeviceInfo device in provider.GetDevices())
            {
                if (!device.Supports(algorithm) || (Options.DeviceName is { } name && device.Name != name))
                {
                    continue;
                }

                seen = true;
                if (device.IsIsolated)
                {
                    isolated = true;
                    continue;
                }

                first ??= (provider, device);
                if (provider.TryOpenQueue(device, wait: false, cancellationToken) is { } transport)
                {
                    return new WdQueue(transport);
                }
            }
        }

        if (wait && first is { } target && target.Provider.TryOpenQueue(target.Device, wait: true, cancellationToken) is { } waited)
        {
            return new WdQueue(waited);
        }

        string which = Options.DeviceName is null ? $"'{algorithm}'" : $"'{algorithm}' named {Options.DeviceName}";
        throw new WdDeviceNotFoundException(
            !seen ? $"no {ModeText}device offers {which}"
            : first is null && isolated ? $"every device for {which} is isolated"
            : $"every device for {which} is busy (available_instances is 0)");
    }

    private string ModeText => Options.Mode switch
    {
        WdDeviceMode.Local => "in-process ",
        WdDeviceMode.Broker => "broker ",
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

    /// <summary>A context for a session of <paramref name="algorithm"/> (a name the devices list, such as <c>gzip</c>
    /// or <c>cipher</c>): sessions of one algorithm are spread round-robin over up to
    /// <see cref="WdRuntimeOptions.MaxContextsPerAlgorithm"/> queues. A stream-mode session also needs a free
    /// device stream context, which is taken here from the first context that has one.</summary>
    internal WdContext GetContext(string algorithm, bool stream, out int streamId)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            streamId = -1;
            if (!_contexts.TryGetValue(algorithm, out List<WdContext>? contexts))
            {
                contexts = [];
                _contexts.Add(algorithm, contexts);
            }

            if (contexts.Count < Options.MaxContextsPerAlgorithm)
            {
                try
                {
                    var context = new WdContext(RequestQueue(algorithm), Options.BackgroundPolling);
                    contexts.Add(context);
                    if (!stream || context.TryAllocateStreamId(out streamId))
                    {
                        return context;
                    }
                }
                catch (WdDeviceNotFoundException) when (contexts.Count > 0)
                {
                    // No more queues: share the ones we have.
                }
                catch (WdDeviceNotFoundException) when (FindSharedContexts(algorithm) is { Count: > 0 } shared)
                {
                    // No free queue, but contexts of another algorithm run on a device that offers this one too
                    // (cipher, digest and aead share a SEC device): use those.
                    contexts.AddRange(shared);
                }
            }

            int count = contexts.Count;
            for (int i = 0; i < count; i++)
            {
                WdContext context = contexts[(_nextContext + i) % count];
                if (!stream || context.TryAllocateStreamId(out streamId))
                {
                    _nextContext = (_nextContext + i + 1) % count;
                    return context;
                }
            }

            throw new WdException($"no free stream context: {count} queue(s) x max_streams {contexts[0].Queue.MaxStreams} are in use by open stream sessions");
        }
    }

    private List<WdContext> FindSharedContexts(string algorithm) =>
        [.. _contexts.Values.SelectMany(c => c).Where(c => c.Queue.Device.Supports(algorithm)).Distinct()];

    /// <summary>The embedded device named <paramref name="name"/>, if this runtime started one (tests, diagnostics).</summary>
    internal Devices.DeviceHost? FindEmbeddedHost(string name) =>
        Providers().OfType<InProcessDevices>().SelectMany(p => p.Hosts).FirstOrDefault(h => h.Name == name);

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
                if (Options.Mode != WdDeviceMode.Broker && Options.EmbeddedDevices)
                {
                    _providers.Add(new InProcessDevices(Options.EmbeddedDeviceOptions, Options.EmbeddedZipEngine));
                }

                if (Options.Mode != WdDeviceMode.Local)
                {
                    _providers.Add(new BrokerDevices(Platform.RunDirectory.Resolve(Options.BrokerRunDirectory)));
                }
            }

            return [.. _providers];
        }
    }

    /// <summary>Releases every context and stops the embedded devices.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (WdContext context in _contexts.Values.SelectMany(c => c).Distinct())
            {
                context.Dispose();
            }

            foreach (IDeviceProvider provider in _providers)
            {
                provider.Dispose();
            }
        }
    }
}
