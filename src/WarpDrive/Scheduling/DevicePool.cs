using WarpDrive.Queues;

namespace WarpDrive.Scheduling;

/// <summary>One algorithm library's contexts on one device, grouped by the library's context specs, and the memory
/// that holds its sessions' keys there. Groups open their queues when first used (all of a group's count at once).</summary>
internal sealed class DevicePool
{
    private readonly LibraryScheduler _owner;
    private readonly ContextGroup?[] _groups;
    private readonly ContextGroup?[] _routes; // [async * (ops + 1) + op + 1]: the group a request of that kind uses
    private readonly Lock _lock = new();
    private KeySlab? _keys;
    private long _failedAt; // Environment.TickCount64 when the pool stopped being served; 0 while it serves

    public DevicePool(LibraryScheduler owner, WdDeviceInfo device, bool runsOnCallerCpus, bool inline = false)
    {
        _owner = owner;
        Device = device;
        Inline = inline;
        SharesCallerCpu = !inline && runsOnCallerCpus; // read on every synchronous pick
        _groups = new ContextGroup?[owner.Specs.Count];
        _routes = new ContextGroup?[2 * (owner.Operations.Count + 1)];
    }

    public WdDeviceInfo Device { get; }

    /// <summary>Mix mode's pool: every context of the inline device in one group, picked by the caller's thread.</summary>
    public bool Inline { get; }

    /// <summary>The device is a model running on this process's own threads (the embedded default): its engines are
    /// the caller's CPUs, so a synchronous caller gains nothing by handing it a request.</summary>
    public bool SharesCallerCpu { get; }

    /// <summary>Set when a context of the pool stopped being served: the scheduler moves on to the next device.</summary>
    public bool Failed => Volatile.Read(ref _failedAt) != 0;

    /// <summary>When the pool was marked failed (<see cref="Environment.TickCount64"/>).</summary>
    public long FailedAt => Volatile.Read(ref _failedAt);

    /// <summary>Every context the pool opened itself (not borrowed).</summary>
    public IEnumerable<WdContext> OwnContexts
    {
        get
        {
            lock (_lock)
            {
                return [.. _groups.Where(g => g is { Borrowed: false }).SelectMany(g => g!.Contexts)];
            }
        }
    }

    public void MarkFailed() => Interlocked.CompareExchange(ref _failedAt, Math.Max(1, Environment.TickCount64), 0);

    /// <summary>Device-visible memory for keys on this device (made with the pool's first context).</summary>
    public KeySlab Keys
    {
        get
        {
            if (_keys is null)
            {
                WdContext first = AnyContext;
                lock (_lock)
                {
                    _keys ??= new KeySlab(first.Queue);
                }
            }

            return _keys;
        }
    }

    /// <summary>A queue of this device, through which memory for the pool's keys is made.</summary>
    public WdQueue AnyQueue => AnyContext.Queue;

    private WdContext AnyContext => Route(async: false, operation: -1).Contexts[0];

    /// <summary>An inline pool's context for the calling thread: threads spread over the inline device's queues
    /// (callers of one queue take turns serving it).</summary>
    public WdContext InlineContext()
    {
        WdContext[] contexts = Route(async: false, operation: -1).Contexts;
        return contexts[(int)((uint)Environment.CurrentManagedThreadId % (uint)contexts.Length)];
    }

    /// <summary>The group a request of <paramref name="async"/> mode and <paramref name="operation"/> (index in the
    /// library's operations, -1 for none) goes to: its own mode and operation, else its mode for every operation, else
    /// the other mode's (a library set up with async contexts only still runs a synchronous request).</summary>
    public ContextGroup Route(bool async, int operation)
    {
        int slot = ((async ? 1 : 0) * (_owner.Operations.Count + 1)) + operation + 1;
        return Volatile.Read(ref _routes[slot]) ?? Resolve(async, operation, slot);
    }

    private ContextGroup Resolve(bool async, int operation, int slot)
    {
        if (Inline)
        {
            ContextGroup all = OpenInline();
            Volatile.Write(ref _routes[slot], all);
            return all;
        }

        string? op = operation < 0 ? null : _owner.Operations[operation];
        IReadOnlyList<ContextSpec> specs = _owner.Specs;
        int best = -1, bestRank = int.MaxValue;
        for (int i = 0; i < specs.Count; i++)
        {
            ContextSpec spec = specs[i];
            if (spec.Operation is not null && spec.Operation != op)
            {
                continue;
            }

            int rank = (spec.Async == async ? 0 : 2) + (spec.Operation is null && op is not null ? 1 : 0);
            if (rank < bestRank)
            {
                (best, bestRank) = (i, rank);
            }
        }

        if (best < 0)
        {
            best = 0; // only groups of other operations: any context runs any operation
        }

        ContextGroup group = Open(best);
        Volatile.Write(ref _routes[slot], group);
        return group;
    }

    /// <summary>Opens group <paramref name="index"/> now: as many of its contexts as the device has free queues
    /// for; when it has none, the group borrows another group's contexts. With <paramref name="exact"/>
    /// (<see cref="WdRuntime.Initialize"/>) a shortfall is an error instead.</summary>
    public ContextGroup Open(int index, bool exact = false)
    {
        lock (_lock)
        {
            if (_groups[index] is { } open)
            {
                return open;
            }

            ContextSpec spec = _owner.Specs[index];
            var contexts = new List<WdContext>(spec.Count);
            try
            {
                while (contexts.Count < spec.Count && _owner.TryOpenContext(Device, out WdContext? context))
                {
                    contexts.Add(context);
                }
            }
            catch when (contexts.Count > 0 && !exact)
            {
                // The device went away while we opened: keep what we have; the next request notices.
            }

            if (exact && contexts.Count < spec.Count)
            {
                foreach (WdContext context in contexts)
                {
                    _owner.Close(context);
                }

                throw new WdDeviceNotFoundException(
                    $"{_owner.Name} asks for {spec.Count} {(spec.Async ? "async" : "sync")}{(spec.Operation is null ? "" : "-" + spec.Operation)} contexts but {Device.Name} had {contexts.Count} free queue(s)");
            }

            ContextGroup group = contexts.Count > 0
                ? new ContextGroup(spec, [.. contexts], borrowed: false)
                : new ContextGroup(spec, Borrow(), borrowed: true);
            _groups[index] = group;
            return group;
        }
    }

    private ContextGroup OpenInline()
    {
        lock (_lock)
        {
            if (_groups[0] is { } open)
            {
                return open;
            }

            // Every queue of the inline device: no workers, so queues cost only memory.
            var contexts = new List<WdContext>();
            while (_owner.TryOpenContext(Device, out WdContext? context))
            {
                contexts.Add(context);
            }

            ContextGroup group = new(new ContextSpec(false, null, contexts.Count, -1), contexts.Count > 0 ? [.. contexts] : Borrow(), borrowed: false);
            _groups[0] = group;
            return group;
        }
    }

    /// <summary>Contexts of this pool's other groups, else of other libraries on the same device (cipher, digest and
    /// aead share a SEC device): used when the device has no free queue left.</summary>
    private WdContext[] Borrow()
    {
        WdContext[] own = [.. _groups.Where(g => g is not null).SelectMany(g => g!.Contexts).Distinct()];
        if (own.Length > 0)
        {
            return own;
        }

        WdContext[] others = _owner.ContextsOnDevice(Device);
        return others.Length > 0
            ? others
            : throw new WdDeviceNotFoundException($"every queue of {Device.Name} is in use (available_instances is 0)");
    }

    /// <summary>Zeroes and frees the key memory (before the contexts are closed).</summary>
    public void DisposeKeys() => _keys?.Dispose();
}
