using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>Runs a <see cref="DeviceModel"/> as a device: a fixed set of queues served by a fixed set of engine
/// threads, queue allocation (uacce's open/START_Q/release), and the attribute tree with uacce's names.</summary>
public sealed unsafe class DeviceHost : IDisposable
{
    private readonly Lock _lock = new();
    private readonly HardwareQueue[] _queues;
    private readonly bool[] _inUse;
    private readonly QueueWorker[] _workers;
    private readonly Queue<long> _recentFaults = new(); // Stopwatch timestamps of faults within the last hour
    private readonly DeviceCounters _counters;
    private readonly Dictionary<uint, DeviceTenant> _tenants = [];
    private int _activeTenants;
    private bool _anyCapped;
    private int _faults;
    private long _requestFailures;
    private long _handlerFailures;
    private long _requests;
    private int _isolateStrategy;
    private bool _isolated;
    private bool _disposed;

    /// <summary>Starts the engines of <paramref name="model"/>.</summary>
    /// <param name="model">The device model.</param>
    /// <param name="options">The device's shape; null for the defaults.</param>
    /// <param name="stats">A stats file to keep the device's counters in (published for <c>wd top</c>), or null to
    /// keep them in private memory. Dispose the file after the host.</param>
    public DeviceHost(DeviceModel model, DeviceHostOptions? options = null, StatsFile? stats = null)
    {
        Model = model;
        Options = options ?? new DeviceHostOptions();
        Options.Validate();
        IsolateStrategy = Options.IsolateStrategy;
        // Inline: one (never started) engine per queue, whose state the submitting thread uses.
        int workerCount = Options.Inline ? Options.QueueCount : Math.Min(Options.WorkerCount, Options.QueueCount);
        if (stats is null || !stats.TryAttach(this, workerCount, out _counters))
        {
            _counters = DeviceCounters.AllocatePrivate(Options.QueueCount);
            _counters.Describe(this, workerCount, 0, 0);
        }

        _workers = new QueueWorker[workerCount];
        for (int e = 0; e < workerCount; e++)
        {
            _workers[e] = new QueueWorker(this, e);
        }

        Bulk = Options.Inline || Options.BulkThresholdBytes == 0 ? null : new BulkLane(this);
        _queues = new HardwareQueue[Options.QueueCount];
        _inUse = new bool[Options.QueueCount];
        for (int i = 0; i < _queues.Length; i++)
        {
            _queues[i] = new HardwareQueue(this, i, Options.QueueDepth, (uint)Options.MaxStreamsPerQueue, _workers[i % workerCount], _counters.Queues + i);
        }

        for (int e = 0; e < workerCount && !Options.Inline; e++)
        {
            _workers[e].Start(_queues.Where((_, i) => i % workerCount == e).ToArray());
        }
    }

    /// <summary>The device model.</summary>
    public DeviceModel Model { get; }

    /// <summary>The thread that runs long requests (null for an inline device, or with no threshold).</summary>
    internal BulkLane? Bulk { get; }

    /// <summary>The device's shape.</summary>
    public DeviceHostOptions Options { get; }

    /// <summary>Device name.</summary>
    public string Name => Model.Name;

    /// <summary>Device faults so far: the failures that count against <see cref="IsolateStrategy"/> (see
    /// <see cref="RecordRequestFailure"/> for which those are).</summary>
    public int FaultCount => Volatile.Read(ref _faults);

    /// <summary>Requests whose execution threw so far (a library refusing what the checks let through, a model bug):
    /// each completed INTERNAL_ERROR and none counted as a device fault.</summary>
    public long RequestFailureCount => Interlocked.Read(ref _requestFailures);

    /// <summary>What the most recent request failure threw (type and message), if any.</summary>
    public string? LastRequestFailure { get; private set; }

    /// <summary>The memory models the device offers (<c>flags</c>).</summary>
    public DeviceFlags Flags => Options.Flags ?? Model.Flags;

    /// <summary>Device faults per hour beyond which the device isolates itself; 0 never isolates (uacce's
    /// <c>isolate_strategy</c>, writable).</summary>
    public int IsolateStrategy
    {
        get => Volatile.Read(ref _isolateStrategy);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _isolateStrategy, value);
        }
    }

    /// <summary>Whether the device has isolated itself (uacce's <c>isolate</c>): it starts no new queue, and libwd
    /// skips it. Cleared only by restarting the device.</summary>
    public bool IsIsolated => Volatile.Read(ref _isolated);

    /// <summary>Raised on a worker when the device disables a queue on its own (too many invalid
    /// descriptors, a ring violation). Keep handlers short.</summary>
    public event Action<HardwareQueue, QueueDisableReason>? QueueDisabled;

    /// <summary>Raised on the worker for each request whose execution threw (<see cref="RequestFailureCount"/>),
    /// with the queue it came from and the exception. A client can cause any number of these: a handler that logs
    /// should rate-limit. Keep handlers short.</summary>
    public event Action<HardwareQueue, Exception>? RequestFailed;

    /// <summary>Raised once, on the thread that recorded the fault, when the device isolates itself.</summary>
    public event Action<DeviceHost>? Isolated;

    /// <summary>How many times a handler of <see cref="QueueDisabled"/>, <see cref="RequestFailed"/> or
    /// <see cref="Isolated"/> threw. Each such exception is counted here and swallowed: handlers run on a worker, and
    /// a worker that died would leave every queue it serves unserved.</summary>
    public long HandlerFailureCount => Interlocked.Read(ref _handlerFailures);

    /// <summary>The last exception a handler threw (type and message), if any (<see cref="HandlerFailureCount"/>).</summary>
    public string? LastHandlerFailure { get; private set; }

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

    /// <summary>Takes a free queue and starts it for <paramref name="domain"/> in the queue's own memory (in-process),
    /// as this process's own tenant.</summary>
    /// <param name="domain">The owner's address space.</param>
    /// <param name="queue">The started queue.</param>
    /// <returns>false when no queue is free or the device is isolated.</returns>
    public bool TryAllocateQueue(Domain domain, [NotNullWhen(true)] out HardwareQueue? queue) =>
        TryAllocateQueue(domain, 0, null, out queue);

    /// <summary>Takes a free queue and starts it for <paramref name="domain"/>.</summary>
    /// <param name="domain">The owner's address space.</param>
    /// <param name="regionBase">Where the caller mapped the ring region (<see cref="HardwareQueue.RegionSize"/> bytes,
    /// kept mapped until <see cref="ReleaseQueue"/> returns), or 0 for the queue's own memory (in-process).</param>
    /// <param name="tenant">Whose queue it is as the engines share their time (<see cref="GetTenant"/>); null for this
    /// process's own tenant.</param>
    /// <param name="queue">The started queue.</param>
    /// <returns>false when no queue is free or the device is isolated.</returns>
    public bool TryAllocateQueue(Domain domain, nint regionBase, DeviceTenant? tenant, [NotNullWhen(true)] out HardwareQueue? queue)
    {
        ArgumentNullException.ThrowIfNull(domain);
        tenant ??= GetTenant(ProcessControl.GetUid(), 1);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsIsolated)
            {
                queue = null;
                return false;
            }

            for (int i = 0; i < _queues.Length; i++)
            {
                if (!_inUse[i])
                {
                    _inUse[i] = true;
                    if (tenant.StartedQueues++ == 0)
                    {
                        Volatile.Write(ref _activeTenants, _activeTenants + 1);
                    }

                    queue = _queues[i];
                    queue.Start(domain, regionBase, tenant);
                    return true;
                }
            }
        }

        queue = null;
        return false;
    }

    /// <summary>Tenants that hold a started queue: with one, the engines have no time to share and do not time requests.</summary>
    internal int ActiveTenants => Volatile.Read(ref _activeTenants);

    /// <summary>Marks queue <paramref name="id"/> free (under the lock) and its tenant inactive once it holds none.</summary>
    private void MarkFree(int id)
    {
        _inUse[id] = false;
        if (_queues[id].TenantOrNull is { } tenant && --tenant.StartedQueues == 0)
        {
            Volatile.Write(ref _activeTenants, _activeTenants - 1);
        }
    }

    /// <summary>Whether some tenant has a cap (<see cref="DeviceTenant.MaxSharePercent"/>): the engines then time
    /// requests even for one tenant.</summary>
    internal bool AnyCapped => Volatile.Read(ref _anyCapped);

    /// <summary>The tenant of user <paramref name="uid"/> on this device, made on first use; its weight is set to
    /// <paramref name="weight"/> and its cap to <paramref name="maxSharePercent"/> (a configuration reload takes effect
    /// at the next turn).</summary>
    public DeviceTenant GetTenant(uint uid, int weight, int maxSharePercent = 100)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSharePercent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSharePercent, 100);
        lock (_lock)
        {
            if (!_tenants.TryGetValue(uid, out DeviceTenant? tenant))
            {
                tenant = new DeviceTenant(uid, weight, _workers.Length);
                _tenants.Add(uid, tenant);
            }

            tenant.Weight = weight;
            tenant.MaxSharePercent = maxSharePercent;
            if (maxSharePercent < 100)
            {
                Volatile.Write(ref _anyCapped, true);
            }

            return tenant;
        }
    }

    /// <summary>Serves <paramref name="queue"/> on the calling thread until its ring is empty (a device made with
    /// <see cref="DeviceHostOptions.Inline"/>); callers of one queue are serialised.</summary>
    /// <returns>Whether any request was served.</returns>
    public bool ServeInline(HardwareQueue queue)
    {
        CheckOwn(queue);
        if (!Options.Inline)
        {
            throw new InvalidOperationException($"{Name} has workers: it serves its queues itself");
        }

        return queue.Worker.ServeInline(queue);
    }

    /// <summary>The counters of queue <paramref name="queueId"/> as they are now (the record <c>wd top</c> reads):
    /// read racily, each field on its own.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No such queue.</exception>
    public QueueSnapshot GetQueueStats(int queueId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(queueId);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(queueId, _queues.Length);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        QueueStatsRecord* q = _counters.Queues + queueId;
        return new QueueSnapshot
        {
            Id = queueId,
            State = (QueueStatsState)Volatile.Read(ref q->State),
            OwnerPid = Volatile.Read(ref q->OwnerPid),
            OwnerUid = Volatile.Read(ref q->OwnerUid),
            Weight = Volatile.Read(ref q->Weight),
            MaxSharePercent = Volatile.Read(ref q->MaxSharePercent),
            BusyNanos = Volatile.Read(ref q->BusyNanos),
            Submitted = Volatile.Read(ref q->Submitted),
            Completed = Volatile.Read(ref q->Completed),
            Errors = Volatile.Read(ref q->Errors),
            BytesIn = Volatile.Read(ref q->BytesIn),
            BytesOut = Volatile.Read(ref q->BytesOut),
            Waiting = Volatile.Read(ref q->Waiting),
        };
    }

    /// <summary>The stats file that publishes this device's counters; null when they are private.</summary>
    public StatsFile? Stats => _counters.File;

    /// <summary>Queue <paramref name="id"/> of this device (diagnostics, tests).</summary>
    internal HardwareQueue GetQueue(int id) => _queues[id];

    /// <summary>Size of every queue's ring region.</summary>
    public int RegionSize => RingLayout.RegionSize(Options.QueueDepth);

    /// <summary>Stops a queue, frees what it held and makes it available again.</summary>
    public void ReleaseQueue(HardwareQueue queue)
    {
        CheckOwn(queue);
        queue.Stop();
        lock (_lock)
        {
            MarkFree(queue.Id);
        }
    }

    /// <summary>Starts releasing a queue without waiting: the engine takes no further SQE from it. Finish with
    /// <see cref="TryCompleteRelease"/> (the broker polls it so that a long request never blocks its event loop).</summary>
    public void BeginRelease(HardwareQueue queue)
    {
        CheckOwn(queue);
        queue.BeginStop();
    }

    /// <summary>Finishes a release begun with <see cref="BeginRelease"/> if the engine has left the queue: frees what
    /// it held and makes it available again. After true, no device thread touches the queue's region.</summary>
    /// <returns>false when the engine is still inside; call again later.</returns>
    public bool TryCompleteRelease(HardwareQueue queue)
    {
        CheckOwn(queue);
        if (!queue.TryCompleteStop())
        {
            return false;
        }

        lock (_lock)
        {
            MarkFree(queue.Id);
        }

        return true;
    }

    private void CheckOwn(HardwareQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (queue.Host != this)
        {
            throw new ArgumentException("queue belongs to another device", nameof(queue));
        }
    }

    /// <summary>Disables a started queue (reset, isolation, an operator's decision): its owner's driver sees the
    /// status word and fails further requests with a clear error instead of waiting.</summary>
    public void DisableQueue(int queueId, QueueDisableReason reason)
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
    public IReadOnlyDictionary<string, string> GetAttributes() =>
        DescribeAttributes(Model, Options, Flags, AvailableInstances, IsIsolated, IsolateStrategy);

    /// <summary>The attributes a host of <paramref name="model"/> shaped by <paramref name="options"/> would show
    /// before it starts: every queue free, not isolated. A process that starts its devices on first use lists them
    /// with these, so that listing devices starts none.</summary>
    public static IReadOnlyDictionary<string, string> GetIdleAttributes(DeviceModel model, DeviceHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        return DescribeAttributes(model, options, options.Flags ?? model.Flags, options.QueueCount, isolated: false, options.IsolateStrategy);
    }

    private static SortedDictionary<string, string> DescribeAttributes(DeviceModel model, DeviceHostOptions options, DeviceFlags flags,
        int availableInstances, bool isolated, int isolateStrategy)
    {
        var attributes = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [DeviceAttributeNames.Api] = RingLayout.Api,
            [DeviceAttributeNames.Flags] = FormatFlags(flags),
            [DeviceAttributeNames.Algorithms] = string.Join(' ', model.Algorithms),
            [DeviceAttributeNames.AvailableInstances] = availableInstances.ToString(CultureInfo.InvariantCulture),
            [DeviceAttributeNames.Isolate] = isolated ? "1" : "0",
            [DeviceAttributeNames.IsolateStrategy] = isolateStrategy.ToString(CultureInfo.InvariantCulture),
            [DeviceAttributeNames.NumaNode] = options.NumaNode.ToString(CultureInfo.InvariantCulture),
            // The doorbell is a futex word in the ring region: there is no separate MMIO page.
            [DeviceAttributeNames.RegionMmioSize] = "0",
            [DeviceAttributeNames.RegionDusSize] = RingLayout.RegionSize(options.QueueDepth).ToString(CultureInfo.InvariantCulture),
        };
        foreach ((string key, string value) in model.ExtraAttributes)
        {
            attributes[key] = value;
        }

        return attributes;
    }

    /// <summary>The rule for what counts against <see cref="IsolateStrategy"/>, applied to an exception thrown while
    /// a model executed a request: it is that request's failure, never a device fault. Every request a client can
    /// build reaches the model only after the generic checks, and what the model does with it (a library refusing
    /// input the checks let through, such as AES-CCM with an empty plaintext on OpenSSL before 3.0.22, or a bug of
    /// the model) is caused by that input: counting it would let one client isolate a device that every client
    /// shares. The request completes INTERNAL_ERROR; the failure is counted (<see cref="RequestFailureCount"/>, the
    /// stats file's <c>request_failures</c>) and reported (<see cref="RequestFailed"/>). Device faults
    /// (<see cref="RecordFault"/>) are only failures of the device's own that no request's content decides:
    /// injected ones (<see cref="DeviceHostOptions.FaultInjectionInterval"/>). docs/QUEUE-ABI.md and
    /// docs/SECURITY.md ("Device faults") state the same rule.</summary>
    internal void RecordRequestFailure(HardwareQueue queue, Exception exception)
    {
        LastRequestFailure = $"{exception.GetType().Name}: {exception.Message}";
        Interlocked.Increment(ref _requestFailures);
        Interlocked.Increment(ref _counters.Device->RequestFailures);
        Raise(RequestFailed, queue, exception);
    }

    /// <summary>Counts a device fault against <see cref="IsolateStrategy"/> (faults within the last hour): only for
    /// failures of the device's own, never for a request's (<see cref="RecordRequestFailure"/>).</summary>
    internal void RecordFault(string message)
    {
        LastFault = message;
        Interlocked.Increment(ref _faults);
        Interlocked.Increment(ref _counters.Device->FaultCount);
        bool isolateNow;
        lock (_recentFaults)
        {
            long now = Stopwatch.GetTimestamp();
            _recentFaults.Enqueue(now);
            while (Stopwatch.GetElapsedTime(_recentFaults.Peek(), now) > TimeSpan.FromHours(1))
            {
                _recentFaults.Dequeue();
            }

            int strategy = IsolateStrategy;
            isolateNow = strategy > 0 && _recentFaults.Count > strategy && !_isolated;
            if (isolateNow)
            {
                Volatile.Write(ref _isolated, true);
                Volatile.Write(ref _counters.Device->Isolated, 1u);
            }
        }

        if (isolateNow)
        {
            Raise(Isolated, this);
        }
    }

    /// <summary>Whether this request is the one <see cref="DeviceHostOptions.FaultInjectionInterval"/> fails.</summary>
    internal bool ShouldInjectFault()
    {
        int interval = Options.FaultInjectionInterval;
        return interval > 0 && Interlocked.Increment(ref _requests) % interval == 0;
    }

    internal void OnQueueDisabled(HardwareQueue queue, QueueDisableReason reason) => Raise(QueueDisabled, queue, reason);

    // Failure paths only: the invocation list is walked (and allocated) only when someone listens.
    private void Raise<T>(Action<T>? handlers, T arg)
    {
        foreach (Delegate handler in handlers?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<T>)handler)(arg);
            }
            catch (Exception e)
            {
                NoteHandlerFailure(e);
            }
        }
    }

    private void Raise<T1, T2>(Action<T1, T2>? handlers, T1 arg1, T2 arg2)
    {
        foreach (Delegate handler in handlers?.GetInvocationList() ?? [])
        {
            try
            {
                ((Action<T1, T2>)handler)(arg1, arg2);
            }
            catch (Exception e)
            {
                NoteHandlerFailure(e);
            }
        }
    }

    private void NoteHandlerFailure(Exception e)
    {
        LastHandlerFailure = $"{e.GetType().Name}: {e.Message}";
        Interlocked.Increment(ref _handlerFailures);
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

        // The bulk lane first: after a request it wakes the queue's worker (QueueWorker.Wake writes the worker's wake
        // word), so the workers, which free their wake words, may go only once the lane has stopped.
        Bulk?.Dispose();
        foreach (QueueWorker worker in _workers)
        {
            worker.Dispose();
        }

        foreach (HardwareQueue q in _queues)
        {
            if (q.Domain is not null)
            {
                q.Stop();
            }

            q.Free();
        }

        _counters.Release();
        Model.Dispose();
    }
}
