using WarpDrive.Compression;
using WarpDrive.Discovery;

namespace WarpDrive;

/// <summary>libwd's entry point: finds devices, opens queues on them, and keeps the contexts the algorithm
/// libraries share. <see cref="Default"/> is what the Stream adapters and sessions use unless told otherwise.</summary>
public sealed class WdRuntime : IDisposable
{
    private static readonly Lazy<WdRuntime> s_default = new(() => new WdRuntime(WdRuntimeOptions.FromEnvironment()));

    private readonly Lock _lock = new();
    private readonly List<IDeviceProvider> _providers = [];
    private readonly List<CompContext> _compContexts = [];
    private bool _embeddedStarted;
    private int _nextContext;
    private bool _disposed;

    /// <summary>Creates a runtime; devices are discovered (and embedded ones started) on first use.</summary>
    public WdRuntime(WdRuntimeOptions? options = null)
    {
        Options = options ?? new WdRuntimeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxCompressionContexts, nameof(options));
        // Seams: the broker's run directory and /sys/class/uacce providers are added here when they exist.
    }

    /// <summary>The process-wide runtime (options from the environment).</summary>
    public static WdRuntime Default => s_default.Value;

    /// <summary>This runtime's options.</summary>
    public WdRuntimeOptions Options { get; }

    /// <summary>All devices, with their current attributes.</summary>
    public IReadOnlyList<WdDeviceInfo> Devices
    {
        get
        {
            lock (_lock)
            {
                EnsureProviders();
                return _providers.SelectMany(p => p.GetDevices()).ToArray();
            }
        }
    }

    /// <summary>Opens a queue on a device that implements <paramref name="algorithm"/> (uacce: open the chrdev).</summary>
    /// <exception cref="WdDeviceNotFoundException">No such device, or none has a free queue.</exception>
    public WdQueue RequestQueue(string algorithm)
    {
        lock (_lock)
        {
            EnsureProviders();
            bool seen = false;
            foreach (IDeviceProvider provider in _providers)
            {
                foreach (WdDeviceInfo device in provider.GetDevices())
                {
                    if (device.Supports(algorithm))
                    {
                        seen = true;
                        QueueTransport? transport = provider.TryOpenQueue(device.Name);
                        if (transport is not null)
                        {
                            return new WdQueue(transport);
                        }
                    }
                }
            }

            throw new WdDeviceNotFoundException(seen
                ? $"every device for '{algorithm}' is busy (available_instances is 0)"
                : $"no device offers '{algorithm}'");
        }
    }

    /// <summary>Releases a queue (same as disposing it).</summary>
    public static void ReleaseQueue(WdQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        queue.Dispose();
    }

    /// <summary>A context for a compression session: spread round-robin over up to
    /// <see cref="WdRuntimeOptions.MaxCompressionContexts"/> queues. A stream-mode session also needs a free
    /// device stream context, which is taken here from the first context that has one.</summary>
    internal CompContext GetCompContext(string algorithm, bool stream, out int streamId)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            streamId = -1;
            if (_compContexts.Count < Options.MaxCompressionContexts)
            {
                try
                {
                    var context = new CompContext(RequestQueue(algorithm), Options.BackgroundPolling);
                    _compContexts.Add(context);
                    if (!stream || context.TryAllocateStreamId(out streamId))
                    {
                        return context;
                    }
                }
                catch (WdDeviceNotFoundException) when (_compContexts.Count > 0)
                {
                    // No more queues: share the ones we have.
                }
            }

            int count = _compContexts.Count;
            for (int i = 0; i < count; i++)
            {
                CompContext context = _compContexts[(_nextContext + i) % count];
                if (!stream || context.TryAllocateStreamId(out streamId))
                {
                    _nextContext = (_nextContext + i + 1) % count;
                    return context;
                }
            }

            throw new WdException($"no free stream context: {count} queue(s) x max_streams {_compContexts[0].Queue.MaxStreams} are in use by open stream sessions");
        }
    }

    /// <summary>The embedded device named <paramref name="name"/>, if this runtime started one (tests, diagnostics).</summary>
    internal Devices.DeviceHost? FindEmbeddedHost(string name)
    {
        lock (_lock)
        {
            EnsureProviders();
            return _providers.OfType<InProcessDevices>().SelectMany(p => p.Hosts).FirstOrDefault(h => h.Name == name);
        }
    }

    private void EnsureProviders()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_embeddedStarted && Options.EmbeddedDevices && _providers.Count == 0)
        {
            _providers.Add(new InProcessDevices(Options.EmbeddedDeviceOptions, Options.EmbeddedZipEngine));
            _embeddedStarted = true;
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
            foreach (CompContext context in _compContexts)
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
