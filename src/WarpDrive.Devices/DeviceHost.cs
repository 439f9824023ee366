using System.Globalization;
using WarpDrive.Abi;

namespace WarpDrive.Devices;

/// <summary>Runs a <see cref="DeviceModel"/> as a device: a fixed set of queues served by a fixed set of engine
/// threads, queue allocation (uacce's open/START_Q/release), and the attribute tree with uacce's names.</summary>
public sealed class DeviceHost : IDisposable
{
    private readonly Lock _lock = new();
    private readonly HardwareQueue[] _queues;
    private readonly bool[] _inUse;
    private readonly EngineThread[] _engines;
    private int _faults;
    private bool _disposed;

    /// <summary>Starts the engines of <paramref name="model"/>.</summary>
    public DeviceHost(DeviceModel model, DeviceHostOptions? options = null)
    {
        Model = model;
        Options = options ?? new DeviceHostOptions();
        if (!RingLayout.IsValidDepth(Options.QueueDepth))
        {
            throw new ArgumentException("QueueDepth must be a power of two in [2, 4096]", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.QueueCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.EngineCount);
        int engineCount = Math.Min(Options.EngineCount, Options.QueueCount);
        _engines = new EngineThread[engineCount];
        for (int e = 0; e < engineCount; e++)
        {
            _engines[e] = new EngineThread(this, e);
        }

        _queues = new HardwareQueue[Options.QueueCount];
        _inUse = new bool[Options.QueueCount];
        for (int i = 0; i < _queues.Length; i++)
        {
            _queues[i] = new HardwareQueue(this, i, Options.QueueDepth, (uint)Options.MaxStreamsPerQueue, _engines[i % engineCount]);
        }

        for (int e = 0; e < engineCount; e++)
        {
            _engines[e].Start(_queues.Where((_, i) => i % engineCount == e).ToArray());
        }
    }

    /// <summary>The device model.</summary>
    public DeviceModel Model { get; }

    /// <summary>The device's shape.</summary>
    public DeviceHostOptions Options { get; }

    /// <summary>Device name.</summary>
    public string Name => Model.Name;

    /// <summary>Device faults (internal errors) so far.</summary>
    public int FaultCount => Volatile.Read(ref _faults);

    /// <summary>Free queues.</summary>
    public int AvailableInstances
    {
        get
        {
            lock (_lock)
            {
                return _inUse.Count(u => !u);
            }
        }
    }

    /// <summary>Takes a free queue and starts it for <paramref name="domain"/>; null when none is free.</summary>
    public HardwareQueue? TryAllocateQueue(Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int i = 0; i < _queues.Length; i++)
            {
                if (!_inUse[i])
                {
                    _inUse[i] = true;
                    _queues[i].Start(domain);
                    return _queues[i];
                }
            }
        }

        return null;
    }

    /// <summary>Stops a queue, frees what it held and makes it available again.</summary>
    public void ReleaseQueue(HardwareQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (queue.Host != this)
        {
            throw new ArgumentException("queue belongs to another device", nameof(queue));
        }

        queue.Stop();
        lock (_lock)
        {
            _inUse[queue.Id] = false;
        }
    }

    /// <summary>Disables a started queue (reset, isolation, an operator's decision): its owner's driver sees the
    /// status word and fails further requests with a clear error instead of waiting.</summary>
    public void DisableQueue(int queueId, uint reason)
    {
        lock (_lock)
        {
            if ((uint)queueId >= (uint)_queues.Length || !_inUse[queueId])
            {
                throw new ArgumentOutOfRangeException(nameof(queueId), queueId, "no such queue in use");
            }

            _queues[queueId].Disable(reason);
        }
    }

    /// <summary>The device's attributes under uacce's names, plus the model's extras.</summary>
    public IReadOnlyDictionary<string, string> GetAttributes()
    {
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [DeviceAttributeNames.Api] = RingLayout.Api,
            [DeviceAttributeNames.Flags] = FormatFlags(Model.Flags),
            [DeviceAttributeNames.Algorithms] = string.Join(' ', Model.Algorithms),
            [DeviceAttributeNames.AvailableInstances] = AvailableInstances.ToString(CultureInfo.InvariantCulture),
            [DeviceAttributeNames.Isolate] = "0",
            [DeviceAttributeNames.IsolateStrategy] = "0",
            [DeviceAttributeNames.NumaNode] = Options.NumaNode.ToString(CultureInfo.InvariantCulture),
            // In-process the doorbell is a word in the ring region: there is no separate MMIO page.
            [DeviceAttributeNames.RegionMmioSize] = "0",
            [DeviceAttributeNames.RegionDusSize] = RingLayout.RegionSize(Options.QueueDepth).ToString(CultureInfo.InvariantCulture),
        };
        foreach ((string key, string value) in Model.ExtraAttributes)
        {
            attributes[key] = value;
        }

        return attributes;
    }

    internal void RecordFault(Exception e)
    {
        LastFault = e.Message;
        Interlocked.Increment(ref _faults);
    }

    /// <summary>Message of the most recent device fault, if any.</summary>
    public string? LastFault { get; private set; }

    private static string FormatFlags(DeviceFlags flags)
    {
        var names = new List<string>();
        if (flags.HasFlag(DeviceFlags.Sva))
        {
            names.Add("SVA");
        }

        if (flags.HasFlag(DeviceFlags.Share))
        {
            names.Add("SHARE");
        }

        return string.Join(' ', names);
    }

    /// <summary>Stops the engines and frees every queue region.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        foreach (EngineThread engine in _engines)
        {
            engine.Dispose();
        }

        foreach (HardwareQueue q in _queues)
        {
            if (q.Domain is not null)
            {
                q.Stop();
            }

            q.Free();
        }

        Model.Dispose();
    }
}
