using System.Diagnostics;
using WarpDrive.Abi;

namespace WarpDrive.Queues;

/// <summary>A queue as the algorithm libraries use it (UADK's ctx): request slots, serialised submission,
/// and reaping. Whoever holds the reap lock delivers every completion it finds: a synchronous caller reaps
/// until its own request is done; the background poller reaps for asynchronous ones.</summary>
internal sealed class WdContext : IDisposable
{
    private const int ReapBatch = 64;

    // Hybrid polling: a synchronous caller polls for about twice the recent service time before it sleeps,
    // because waking a blocked thread costs tens of microseconds here (DESIGN.md) and would add that to
    // every request longer than a fixed short spin.
    private static readonly long s_minSpinTicks = Stopwatch.Frequency / 50_000; // 20 us
    private static readonly long s_maxSpinTicks = Stopwatch.Frequency / 500; // 2 ms
    private long _serviceTicks;

    // The poller spins only while a completion is likely within its spin: requests that take long (an RSA signature,
    // a large block) complete through the futex, so that the poller does not spend a core the engines need. The
    // samples include the poller's own wake-up (tens of microseconds when it slept), hence a threshold well above the
    // spin; the estimate restarts whenever the context goes idle, so one slow phase does not outlive itself.
    private static readonly long s_longServiceTicks = Stopwatch.Frequency / 5_000; // 200 us
    private long _asyncServiceTicks;

    private readonly RequestSlot[] _slots;
    private readonly int[] _free;
    private readonly Lock _freeLock = new();
    private readonly Lock _submitLock = new();
    private readonly Lock _reapLock = new();
    private readonly SemaphoreSlim _available;
    private readonly bool[] _streamIds;
    private readonly bool _background;
    private readonly ManualResetEventSlim _pollerWake = new(false);
    private Thread? _poller;
    private DeviceBuffer? _scratch;
    private int _freeCount;
    private int _asyncInFlight;
    private volatile bool _disposed;

    public WdContext(WdQueue queue, bool backgroundPolling)
    {
        Queue = queue;
        _background = backgroundPolling;
        _slots = new RequestSlot[queue.Depth];
        _free = new int[queue.Depth];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new RequestSlot(this, i);
            _free[i] = _slots.Length - 1 - i;
        }

        _freeCount = _slots.Length;
        _available = new SemaphoreSlim(_slots.Length, _slots.Length);
        _streamIds = new bool[queue.MaxStreams];
        Keys = new KeySlab(queue);
    }

    public WdQueue Queue { get; }

    /// <summary>Device-visible memory for the keys of the sessions on this context.</summary>
    public KeySlab Keys { get; }

    /// <summary>The device-visible scratch of the slots (<see cref="RequestSlot.ScratchSize"/> each,
    /// bytes): one buffer for the whole context, made on first use (a crypto request's parameter block, IV and small
    /// inputs).</summary>
    public DeviceBuffer Scratch
    {
        get
        {
            if (_scratch is null)
            {
                lock (_freeLock)
                {
                    _scratch ??= DeviceBuffer.Create(Queue, _slots.Length * RequestSlot.ScratchSize, shared: true);
                }
            }

            return _scratch;
        }
    }

    public RequestSlot Rent()
    {
        _available.Wait();
        return Take();
    }

    public bool TryRent(out RequestSlot slot)
    {
        if (_available.Wait(0))
        {
            slot = Take();
            return true;
        }

        slot = null!;
        return false;
    }

    public async ValueTask<RequestSlot> RentAsync(CancellationToken cancellationToken)
    {
        await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Take();
    }

    private RequestSlot Take()
    {
        lock (_freeLock)
        {
            return _slots[_free[--_freeCount]];
        }
    }

    public void Return(RequestSlot slot)
    {
        lock (_freeLock)
        {
            _free[_freeCount++] = slot.Index;
        }

        _available.Release();
    }

    public bool TryAllocateStreamId(out int id)
    {
        lock (_freeLock)
        {
            id = Array.IndexOf(_streamIds, false);
            if (id < 0)
            {
                return false;
            }

            _streamIds[id] = true;
            return true;
        }
    }

    public void FreeStreamId(int id)
    {
        lock (_freeLock)
        {
            _streamIds[id] = false;
        }
    }

    public void Submit(RequestSlot slot, in Sqe sqe)
    {
        lock (_submitLock)
        {
            // In flight before the SQE is visible (the device may complete it at once), and only under this lock,
            // which FailAsyncInFlight also takes: it never sees a slot whose submission is still undecided.
            slot.InFlight = true;
            if (slot.IsAsync)
            {
                slot.SubmittedAt = Stopwatch.GetTimestamp();
                Interlocked.Increment(ref _asyncInFlight);
            }

            try
            {
                // At most Depth slots exist, so the ring has room unless the device stopped consuming.
                if (!Queue.TrySend(in sqe))
                {
                    ThrowHelper.QueueFull();
                }

                Queue.Flush();
            }
            catch
            {
                // Not published, or published to a queue the device no longer serves: it will never complete.
                slot.InFlight = false;
                if (slot.IsAsync)
                {
                    Interlocked.Decrement(ref _asyncInFlight);
                }

                throw;
            }
        }

        if (slot.IsAsync && _background)
        {
            EnsurePoller();
            _pollerWake.Set();
        }
    }

    /// <summary>Reaps until <paramref name="slot"/> is done.</summary>
    public void WaitSync(RequestSlot slot, long submittedAt)
    {
        Span<int> ready = stackalloc int[ReapBatch];
        var spin = TimeSpan.FromTicks(Math.Clamp(2 * Volatile.Read(ref _serviceTicks), s_minSpinTicks, s_maxSpinTicks)
            * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
        while (!slot.Done)
        {
            int asyncReady;
            lock (_reapLock)
            {
                while (ReapLocked(ready, out asyncReady) == 0 && !slot.Done)
                {
                    QueueState state = Queue.State;
                    if (state != QueueState.Started)
                    {
                        // A completion may have landed just before the status word changed: look once more.
                        if (ReapLocked(ready, out asyncReady) > 0 || slot.Done)
                        {
                            break;
                        }

                        ThrowHelper.QueueDisabled(state, Queue.DisableReason);
                    }

                    Queue.WaitForCompletion(TimeSpan.FromMilliseconds(100), spin);
                }
            }

            Deliver(ready[..asyncReady]);
        }

        // Moving average of the service time (races between callers only blur it).
        long sample = Stopwatch.GetTimestamp() - submittedAt;
        Volatile.Write(ref _serviceTicks, ((Volatile.Read(ref _serviceTicks) * 7) + sample) / 8);
    }

    /// <summary>Completes whatever has finished, without blocking. Returns how many requests completed.</summary>
    public int Poll(int max)
    {
        Span<int> ready = stackalloc int[ReapBatch];
        int total = 0;
        while (total < max)
        {
            // Never blocks: if another thread is reaping, it delivers for us.
            if (!_reapLock.TryEnter())
            {
                break;
            }

            int reaped, asyncReady;
            try
            {
                reaped = ReapLocked(ready, out asyncReady);
            }
            finally
            {
                _reapLock.Exit();
            }

            Deliver(ready[..asyncReady]);
            if (reaped == 0)
            {
                if (Queue.State != QueueState.Started)
                {
                    FailAsyncInFlight(reap: true);
                }

                break;
            }

            total += reaped;
        }

        return total;
    }

    private int ReapLocked(Span<int> ready, out int asyncReady)
    {
        int reaped = 0;
        asyncReady = 0;
        while (asyncReady < ready.Length && Queue.TryRecv(out Cqe cqe))
        {
            int index = (int)(uint)cqe.UserData;
            if ((uint)index >= (uint)_slots.Length)
            {
                continue; // not a tag of ours
            }

            RequestSlot slot = _slots[index];
            if (!slot.InFlight || slot.Generation != (uint)(cqe.UserData >> 32))
            {
                continue;
            }

            slot.Record(in cqe);
            reaped++;
            if (slot.IsAsync)
            {
                ready[asyncReady++] = index;
                // Moving average of the time an async request spends on the device and in the ring (under the reap lock).
                long sample = Stopwatch.GetTimestamp() - slot.SubmittedAt;
                _asyncServiceTicks = ((_asyncServiceTicks * 7) + sample) / 8;
            }
        }

        return reaped;
    }

    private void Deliver(ReadOnlySpan<int> ready)
    {
        foreach (int index in ready)
        {
            Interlocked.Decrement(ref _asyncInFlight);
            _slots[index].Deliver();
        }
    }

    /// <summary>How long the poller polls before it sleeps: its usual spin while async requests complete within a few
    /// times that, none when they take longer (then a wake-up costs less than the spinning it replaces).</summary>
    private TimeSpan PollerSpin() =>
        _asyncServiceTicks > s_longServiceTicks ? TimeSpan.Zero : Queue.SpinBeforeSleep;

    private void EnsurePoller()
    {
        if (_poller is not null)
        {
            return;
        }

        lock (_freeLock)
        {
            if (_poller is null)
            {
                _poller = new Thread(PollLoop) { IsBackground = true, Name = $"wd-poll-{Queue.Device.Name}" };
                _poller.Start();
            }
        }
    }

    private void PollLoop()
    {
        Span<int> ready = stackalloc int[ReapBatch];
        while (!_disposed)
        {
            if (Volatile.Read(ref _asyncInFlight) == 0)
            {
                _asyncServiceTicks = 0; // idle: the next burst is measured afresh (only the poller reads it now)
                _pollerWake.Wait(TimeSpan.FromMilliseconds(100));
                _pollerWake.Reset();
                continue;
            }

            int asyncReady;
            lock (_reapLock)
            {
                while (ReapLocked(ready, out asyncReady) == 0 && Volatile.Read(ref _asyncInFlight) > 0 && !_disposed
                       && Queue.State == QueueState.Started)
                {
                    Queue.WaitForCompletion(TimeSpan.FromMilliseconds(10), PollerSpin());
                }
            }

            Deliver(ready[..asyncReady]);
            if (Queue.State != QueueState.Started)
            {
                FailAsyncInFlight(reap: true);
                _pollerWake.Wait(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>Fails the async requests the device will never complete. Call only once the device has left the
    /// queue (disabled, or released): their buffers are unpinned here.</summary>
    private void FailAsyncInFlight(bool reap)
    {
        // Completions posted before the queue stopped are delivered first (unless the queue is released and its
        // region may already serve another owner); what is left will never complete.
        // Under the reap lock, so that no reaper records a slot while we abandon it.
        var abandoned = new List<RequestSlot>();
        lock (_submitLock)
        lock (_reapLock)
        {
            Span<int> ready = stackalloc int[ReapBatch];
            while (reap && ReapLocked(ready, out int asyncReady) > 0)
            {
                Deliver(ready[..asyncReady]);
            }

            foreach (RequestSlot slot in _slots)
            {
                if (slot.InFlight && slot.IsAsync)
                {
                    slot.Abandon();
                    abandoned.Add(slot);
                }
            }
        }

        foreach (RequestSlot slot in abandoned)
        {
            Interlocked.Decrement(ref _asyncInFlight);
            slot.Fail(new WdException(_disposed
                ? $"the context on {Queue.Device.Name} was disposed before the request completed"
                : $"queue on {Queue.Device.Name} is {Queue.State.ToString().ToLowerInvariant()}"));
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _pollerWake.Set();
        if (_poller is not null && _poller != Thread.CurrentThread)
        {
            _poller.Join();
        }

        // Releasing the queue waits until the engine has left it; only then may in-flight buffers be unpinned.
        Queue.Dispose();
        FailAsyncInFlight(reap: false);
        foreach (RequestSlot slot in _slots)
        {
            slot.DisposeSharedTable(); // the queue is gone: no request reads a table any more
        }

        _scratch?.Dispose();
        Keys.Dispose();

        // _available is not disposed: a late GetResult still returns its slot (no wait handle was ever created).
    }
}
