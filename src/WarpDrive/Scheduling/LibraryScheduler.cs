using System.Diagnostics.CodeAnalysis;
using WarpDrive.Queues;

namespace WarpDrive.Scheduling;

/// <summary>One algorithm library's scheduler (UADK's wd_sched with the library's ctx_config): its contexts on each
/// device, split by mode and operation; the device order (highest priority first, the next one when a device stops
/// serving); the polling threads of its async contexts; and Mix mode's inline contexts.</summary>
internal sealed class LibraryScheduler : IDisposable
{
    private readonly WdRuntime _runtime;
    private readonly Lock _lock = new();
    private readonly List<DevicePool> _pools = [];
    private readonly List<DevicePool> _retired = [];
    private readonly List<WdContext> _all = [];
    private WdContext[] _snapshot = []; // _all as an array, replaced (under _lock) whenever _all changes: Poll reads it without a lock or a copy
    private readonly AsyncPoller[] _pollers;
    private DevicePool? _inline;
    private int _nextPoller;
    private int _nextSession;
    private bool _disposed;

    public LibraryScheduler(WdRuntime runtime, AlgorithmLibrary library, LibraryOptions options)
    {
        _runtime = runtime;
        Library = library;
        Options = options;
        Name = $"WD_{AlgorithmLibraries.EnvironmentName(library)}";
        Operations = AlgorithmLibraries.Operations(library);
        int perMode = runtime.Options.MaxContextsPerAlgorithm;
        Specs = options.Contexts ?? [new ContextSpec(false, null, perMode, -1), new ContextSpec(true, null, perMode, -1)];
        bool polling = options.AsyncPolling ?? runtime.Options.BackgroundPolling;
        _pollers = polling
            ? [.. Enumerable.Range(0, options.PollThreads).Select(i => new AsyncPoller($"wd-poll-{library.ToString().ToLowerInvariant()}-{i}"))]
            : [];
    }

    public AlgorithmLibrary Library { get; }

    public LibraryOptions Options { get; }

    /// <summary>Mix mode's threshold in force: the library's option, else its measured default (when the runtime's
    /// Mix mode is on), else 0.</summary>
    public int InlineThreshold => Options.InlineThreshold ?? (MixModeDefaults ? AlgorithmLibraries.DefaultInlineThreshold(Library) : 0);

    /// <summary>Mix mode's defaults apply: on in the runtime, the embedded device models allowed (the inline devices
    /// are those models), and no threshold of the library's own.</summary>
    private bool MixModeDefaults => Options.InlineThreshold is null && _runtime.Options.MixMode && _runtime.Options.EmbeddedDevices;

    /// <summary>Whether synchronous requests for an in-process device run inline at any size: Mix mode's default
    /// (no threshold of the library's own). A synchronous caller waits anyway, and a device made of this process's
    /// threads only adds its hop (docs/PERFORMANCE.md, "Mix mode thresholds").</summary>
    public bool SyncInlineOnInProcessDevice => MixModeDefaults;

    /// <summary>Adds what this library's contexts, open and closed, published of <paramref name="library"/>'s
    /// requests to <paramref name="inline"/> and <paramref name="queued"/>, skipping contexts already
    /// <paramref name="seen"/> (another library's scheduler lists a context it borrowed too).</summary>
    public void CountRequests(AlgorithmLibrary library, HashSet<WdContext> seen, ref long inline, ref long queued)
    {
        lock (_lock)
        {
            inline += _closed[(int)library, 0];
            queued += _closed[(int)library, 1];
        }

        foreach (WdContext context in Contexts)
        {
            if (seen.Add(context))
            {
                if (context.IsInline)
                {
                    inline += context.Submitted(library);
                }
                else
                {
                    queued += context.Submitted(library);
                }
            }
        }
    }

    /// <summary>The library's name in messages (<c>WD_COMP</c>).</summary>
    public string Name { get; }

    public IReadOnlyList<ContextSpec> Specs { get; }

    public IReadOnlyList<string> Operations { get; }

    /// <summary>The session index the single and per-device policies place the next session by.</summary>
    public int NextSessionIndex() => Interlocked.Increment(ref _nextSession) - 1;

    /// <summary>The pool a session of <paramref name="algorithm"/> uses: on the highest-priority device that offers it
    /// and still serves (per-device policy: spread over every device of that priority by <paramref name="sessionIndex"/>).</summary>
    /// <exception cref="WdDeviceNotFoundException">No device offers it any more.</exception>
    public DevicePool PoolFor(string algorithm, int sessionIndex)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pools.RemoveAll(p =>
            {
                if (p.Failed)
                {
                    _retired.Add(p);
                }

                return p.Failed;
            });
            ReleaseRetired();
            List<DevicePool> live = [.. _pools.Where(p => p.Device.Supports(algorithm))];
            if (live.Count == 0 || Options.Policy == SchedulingPolicy.PerDevice)
            {
                // Open pools on the best devices now present (a failed device is skipped: isolated, or its broker gone).
                IReadOnlyList<WdDeviceInfo> candidates = _runtime.CandidateDevices(algorithm);
                if (candidates.Count == 0 && live.Count == 0)
                {
                    throw _runtime.NoDevice(algorithm);
                }

                // Within the top priority, devices on the library's NUMA node (the first node its specs name) come first.
                int top = candidates.Count > 0 ? candidates[0].Priority : int.MinValue;
                int node = Specs.Where(spec => spec.NumaNode >= 0).Select(spec => spec.NumaNode).DefaultIfEmpty(-1).First();
                foreach (WdDeviceInfo device in candidates.Where(d => d.Priority == top).OrderBy(d => node >= 0 && d.NumaNode != node ? 1 : 0))
                {
                    if (!live.Any(p => SameDevice(p.Device, device)))
                    {
                        var pool = new DevicePool(this, device, _runtime.RunsOnCallerCpus(device));
                        _pools.Add(pool);
                        live.Add(pool);
                    }

                    if (Options.Policy != SchedulingPolicy.PerDevice)
                    {
                        break;
                    }
                }
            }

            return live[(int)((uint)sessionIndex % (uint)(Options.Policy == SchedulingPolicy.PerDevice ? live.Count : 1))];
        }
    }

    /// <summary>Opens every context group now, on the device(s) <see cref="PoolFor"/> picks for
    /// <paramref name="algorithm"/>, and fails when one cannot be filled (<see cref="WdRuntime.Initialize"/>).</summary>
    public void OpenAll(string algorithm)
    {
        DevicePool first = PoolFor(algorithm, 0);
        DevicePool[] pools;
        lock (_lock)
        {
            pools = Options.Policy == SchedulingPolicy.PerDevice ? [.. _pools] : [first];
        }

        foreach (DevicePool pool in pools)
        {
            for (int i = 0; i < Specs.Count; i++)
            {
                pool.Open(i, exact: true);
            }
        }
    }

    /// <summary>Gives back the queues of devices failed over from, once nothing is in flight on them and a grace period
    /// has passed (a session that picked one just before the failure may still be about to submit to it; it then gets
    /// the queue's clear error). Their key memory stays until the library closes: sessions copy keys from it.</summary>
    private void ReleaseRetired()
    {
        long now = Environment.TickCount64;
        foreach (DevicePool pool in _retired)
        {
            if (now - pool.FailedAt < RetiredGraceMilliseconds)
            {
                continue;
            }

            foreach (WdContext context in pool.OwnContexts)
            {
                // A stream session stays bound to its context between requests (and frees its stream id on dispose).
                if (_all.Contains(context) && context.InFlight == 0 && context.AsyncInFlight == 0 && !context.HasStreams)
                {
                    _all.Remove(context);
                    _snapshot = [.. _all];
                    CountClosed(context);
                    context.Dispose();
                }
            }
        }
    }

    private const long RetiredGraceMilliseconds = 1000;

    /// <summary>Mix mode's pool for <paramref name="algorithm"/>: the inline device of the same model, its queues
    /// served by the threads that submit to them.</summary>
    public DevicePool InlinePool(string algorithm)
    {
        if (_inline is { } pool)
        {
            return pool;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            WdDeviceInfo device = _runtime.InlineDevice(algorithm);
            return _inline ??= new DevicePool(this, device, runsOnCallerCpus: true, inline: true);
        }
    }

    /// <summary>Opens one context on <paramref name="device"/> (it joins a polling thread).</summary>
    /// <returns>false when the device has no free queue.</returns>
    public bool TryOpenContext(WdDeviceInfo device, [NotNullWhen(true)] out WdContext? context)
    {
        if (!_runtime.TryOpenQueue(device, out WdQueue? queue))
        {
            context = null;
            return false;
        }

        AsyncPoller? poller = null;
        lock (_lock)
        {
            // Sync contexts get a poller too: a stream session is bound to one context whatever its requests' mode, and a
            // library set up with sync contexts only still runs async requests on them. An idle poller costs nothing.
            if (_pollers.Length > 0)
            {
                poller = _pollers[_nextPoller++ % _pollers.Length];
            }

            context = new WdContext(queue, poller, _runtime.Options.SyncWait);
            _all.Add(context);
            _snapshot = [.. _all];
            return true;
        }
    }

    /// <summary>Keeps the request counts of a context that goes (<see cref="CountRequests"/>; under the lock).</summary>
    private void CountClosed(WdContext context)
    {
        foreach (AlgorithmLibrary library in AlgorithmLibraries.All)
        {
            _closed[(int)library, context.IsInline ? 0 : 1] += context.Submitted(library);
        }
    }

    private readonly long[,] _closed = new long[AlgorithmLibraries.All.Length, 2]; // by library: inline, queued

    /// <summary>Closes a context this library opened (a failed <see cref="WdRuntime.Initialize"/>).</summary>
    public void Close(WdContext context)
    {
        lock (_lock)
        {
            _all.Remove(context);
            _snapshot = [.. _all];
        }

        context.Dispose();
    }

    /// <summary>The contexts of every library on <paramref name="device"/> (to borrow when it has no free queue).</summary>
    public WdContext[] ContextsOnDevice(WdDeviceInfo device) => [.. _runtime.ContextsOnDevice(device).Where(c => c.IsUsable)];

    /// <summary>This library's open contexts.</summary>
    public WdContext[] Contexts => Volatile.Read(ref _snapshot);

    /// <summary>Completes finished async requests of every context of this library without blocking (UADK's
    /// wd_&lt;alg&gt;_poll); returns how many.</summary>
    public int Poll(int max)
    {
        int total = 0;
        foreach (WdContext context in Contexts)
        {
            if (total >= max)
            {
                break;
            }

            if (context.AsyncInFlight > 0)
            {
                total += context.Poll(max - total);
            }
        }

        return total;
    }

    private static bool SameDevice(WdDeviceInfo a, WdDeviceInfo b) => a.Name == b.Name && a.Location == b.Location;

    public void Dispose()
    {
        WdContext[] contexts;
        DevicePool[] pools;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            contexts = [.. _all];
            pools = [.. _pools, .. _retired, .. _inline is null ? Array.Empty<DevicePool>() : [_inline]];
        }

        // Pollers first (they touch the contexts), then the keys, then the queues.
        foreach (AsyncPoller poller in _pollers)
        {
            poller.Dispose();
        }

        foreach (DevicePool pool in pools)
        {
            pool.DisposeKeys();
        }

        foreach (WdContext context in contexts)
        {
            context.Dispose();
        }
    }
}
