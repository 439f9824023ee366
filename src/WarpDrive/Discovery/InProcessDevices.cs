using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi.Stats;
using WarpDrive.Devices;
using WarpDrive.Devices.Engines;
using WarpDrive.Platform;

namespace WarpDrive.Discovery;

/// <summary>The embedded default: device models running inside this process, sharing its address space.
/// This is the one place where libwd starts device models. Made <c>inline</c>, the same models run without engine
/// threads: the thread that submits a request serves it (Mix mode's inline path).
/// A device's host (its queues, rings and workers) starts when a queue is first opened on it: listing the devices
/// starts none, and a process that only hashes never starts zip-0 or hpre-0 (a command's start-up was 0.16 s with
/// every device started, docs/PERFORMANCE.md).</summary>
internal sealed class InProcessDevices : IDeviceProvider
{
    public const string Location = "in-process";

    /// <summary>Whether <paramref name="name"/> names a ZIP engine (<c>WD_ZIP_ENGINE</c>; null or empty: the best).</summary>
    public static bool IsZipEngine(string? name) => string.IsNullOrEmpty(name) || DeviceCatalog.ZipEngines.Contains(name);

    /// <summary>Location of the inline devices (<c>zip-inline</c>, ...).</summary>
    public const string InlineLocation = "inline";
    private static readonly TimeSpan s_waitPollInterval = TimeSpan.FromMilliseconds(5);

    private readonly Domain _domain;
    private readonly Slot[] _slots;
    private readonly DeviceHostOptions _options;
    private readonly string _location;
    private readonly StatsFile? _stats;

    public InProcessDevices(DeviceHostOptions? options = null, string? zipEngine = null, bool inline = false)
    {
        _location = inline ? InlineLocation : Location;
        // Hazard: only this process's library drives the inline devices, in the submitting thread; their domain is the
        // whole address space (SVA), so requests share nothing. The engine-thread devices keep the checked domain.
        _domain = inline ? Domain.CreateWholeAddressSpace() : new Domain();
        DeflateEngine engine;
        try
        {
            engine = DeflateEngine.FromName(zipEngine);
        }
        catch (InvalidOperationException e)
        {
            throw new WdException(e.Message);
        }

        if (inline)
        {
            // One queue per core serves any number of callers (they take turns per queue), keyed by the caller's thread.
            options = new DeviceHostOptions { Inline = true, QueueCount = Math.Max(Environment.ProcessorCount, 2), QueueDepth = options?.QueueDepth ?? 256 };
        }

        string suffix = inline ? "inline" : "0";
        _options = options ?? new DeviceHostOptions();
        _options.Validate(); // here, not when a host first starts: a runtime with options no device can take fails at once
        _stats = CreateStats(_options);
        _slots = [.. DeviceCatalog.Models.Select(model => new Slot(DeviceCatalog.Create(model, $"{model}-{suffix}", engine)))];
    }

    /// <summary>This process's stats file for <c>wd top</c> (<c>&lt;run&gt;/stats/&lt;pid&gt;-&lt;n&gt;.stats</c>, run
    /// directory as the broker resolves it); null when <c>WD_STATS=0</c> or when it cannot be made: counters are a
    /// diagnostic, and the devices serve without them.</summary>
    internal StatsFile? Stats => _stats;

    private static StatsFile? CreateStats(DeviceHostOptions options)
    {
        if (StatsFile.IsDisabledByEnvironment)
        {
            return null;
        }

        try
        {
            return StatsFile.Create(RunDirectory.Resolve(null), StatsPublisher.InProcess, DeviceCatalog.Models.Count, DeviceCatalog.Models.Count * options.QueueCount);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Every device's host, each started now if it was not yet (tests, diagnostics).</summary>
    internal IReadOnlyList<DeviceHost> Hosts => [.. _slots.Select(Start)];

    /// <summary>The host of the device named <paramref name="name"/>, started now if it was not yet; null when this
    /// process has no such device.</summary>
    internal DeviceHost? FindHost(string name) => Array.Find(_slots, s => s.Model.Name == name) is { } slot ? Start(slot) : null;

    /// <summary>Whether the device named <paramref name="name"/> has started (tests).</summary>
    internal bool IsStarted(string name) => Array.Find(_slots, s => s.Model.Name == name)?.Host is not null;

    string IDeviceProvider.Location => _location;

    bool IDeviceProvider.RunsOnCallerCpus => true;

    /// <summary>This process's domain (tests, diagnostics).</summary>
    internal Domain Domain => _domain;

    public IReadOnlyList<WdDeviceInfo> GetDevices() =>
        _slots.Select(s => new WdDeviceInfo(s.Model.Name, _location, s.Host?.GetAttributes() ?? DeviceHost.GetIdleAttributes(s.Model, _options))).ToArray();

    /// <summary>Opens a queue on the device named <paramref name="deviceName"/> without waiting (tests).</summary>
    /// <returns>false when it has no free queue.</returns>
    public bool TryOpenQueue(string deviceName, [NotNullWhen(true)] out QueueTransport? queue) =>
        TryOpenQueue(new WdDeviceInfo(deviceName, _location, new Dictionary<string, string>()), out queue, wait: false, CancellationToken.None);

    public bool TryOpenQueue(WdDeviceInfo device, [NotNullWhen(true)] out QueueTransport? queue, bool wait, CancellationToken cancellationToken)
    {
        DeviceHost? host = FindHost(device.Name);
        while (host is not null)
        {
            if (host.TryAllocateQueue(_domain, out HardwareQueue? allocated))
            {
                queue = new Transport(this, host, allocated);
                return true;
            }

            if (!wait || host.IsIsolated)
            {
                break;
            }

            // In-process there is no queue of waiters: poll until an owner in this process releases one.
            cancellationToken.WaitHandle.WaitOne(s_waitPollInterval);
            cancellationToken.ThrowIfCancellationRequested();
        }

        queue = null;
        return false;
    }

    public WdSharedMemory ReserveMemory(int length) =>
        WdSharedMemory.AllocatePages(length, _location, _domain.Share, handle => _domain.Unshare(handle, waitForEngines: true));

    public void Dispose()
    {
        foreach (Slot slot in _slots)
        {
            slot.Dispose();
        }

        _stats?.Dispose(); // after the hosts: their engines counted in it
    }

    private DeviceHost Start(Slot slot)
    {
        if (Volatile.Read(ref slot.Host) is { } started)
        {
            return started;
        }

        lock (slot)
        {
            ObjectDisposedException.ThrowIf(slot.Disposed, this);
            if (slot.Host is null)
            {
                Volatile.Write(ref slot.Host, new DeviceHost(slot.Model, _options, _stats)); // read without the lock above
            }

            return slot.Host;
        }
    }

    /// <summary>One device: its model from the start, its host from the first queue opened on it.</summary>
    private sealed class Slot(DeviceModel model) : IDisposable
    {
        public readonly DeviceModel Model = model;
        public DeviceHost? Host;
        public bool Disposed;

        public void Dispose()
        {
            lock (this)
            {
                if (Disposed)
                {
                    return;
                }

                Disposed = true;
                if (Host is { } host)
                {
                    host.Dispose(); // disposes the model too
                }
                else
                {
                    Model.Dispose();
                }
            }
        }
    }

    private sealed class Transport(InProcessDevices owner, DeviceHost host, HardwareQueue queue) : QueueTransport
    {
        private int _released;

        public override WdDeviceInfo Device { get; } = new(host.Name, owner._location, host.GetAttributes());

        public override bool ServesInline => host.Options.Inline;

        public override void ServeInline() => host.ServeInline(queue);

        public override nint RegionBase => queue.RegionBase;

        public override int RegionSize => queue.RegionSize;

        public override bool NeedsShares => !owner._domain.IsWholeAddressSpace;

        public override bool ReadsClientMemoryDirectly => true; // the engines are this process's threads

        public override int Share(nint address, long length) => owner._domain.Share(address, length);

        public override void Unshare(int handle) => owner._domain.Unshare(handle);

        public override WdSharedMemory ReserveMemory(int length) => owner.ReserveMemory(length);

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                host.ReleaseQueue(queue);
            }
        }
    }
}
