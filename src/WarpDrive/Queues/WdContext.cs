using System.Buffers;
using System.Diagnostics;
using WarpDrive.Abi;
using WarpDrive.Diagnostics;
using WarpDrive.Scheduling;

namespace WarpDrive.Queues;

/// <summary>A queue as the algorithm libraries use it (UADK's ctx): request slots, serialised submission (one
/// request or a batch with one doorbell), and reaping. Whoever holds the reap lock delivers every completion it finds:
/// a synchronous caller reaps until its own request is done; the library's poller (or the application's Poll) reaps
/// for asynchronous ones. On an inline queue the submitter serves its own request.</summary>
internal sealed class WdContext : IDisposable
{
    private const int ReapBatch = 64;

    // Hybrid polling: a synchronous caller polls for about twice the recent service time before it sleeps,
    // because waking a blocked thread costs tens of microseconds here (DESIGN.md) and would add that to
    // every request longer than a fixed short spin.
    private static readonly long s_minSpinTicks = Stopwatch.Frequency / 50_000; // 20 us
    private static readonly long s_maxSpinTicks = Stopwatch.Frequency / 500; // 2 ms
    // How long a waiter that saw its queue disabled keeps reaping: the device posts the completion that crossed the error
    // threshold just after the disable, microseconds later unless its thread is preempted.
    private static readonly TimeSpan s_lastCompletionWait = TimeSpan.FromMilliseconds(20);
    private readonly SyncWaitStrategy _syncWait;
    private long _serviceTicks;
    private readonly long[] _submittedBy = new long[AlgorithmLibraries.All.Length]; // under the submit lock

    // The poller spins only while a completion is likely within its spin: requests that take long (an RSA signature,
    // a large block) complete through the futex, so that the poller does not spend a core the engines need. The
    // samples include the poller's own wake-up (tens of microseconds when it slept), hence a threshold well above the
    // spin; the estimate restarts whenever the context goes idle, so one slow phase does not outlive itself.
    // The same bound makes an adaptive synchronous caller sleep at once (SyncWaitStrategy).
    private static readonly long s_longServiceTicks = (long)(SyncWaitStrategies.AdaptiveSleepAbove.TotalSeconds * Stopwatch.Frequency);
    private long _asyncServiceTicks;

    private static readonly long s_aliveCheckTicks = Stopwatch.Frequency / 20; // 50 ms
    private long _nextAliveCheck;

    private readonly RequestSlot[] _slots;
    private readonly int[] _free;
    private readonly Lock _freeLock = new();
    private readonly Lock _submitLock = new();
    private readonly Lock _reapLock = new();
    private readonly SemaphoreSlim _available;
    private readonly bool[] _streamIds;
    private readonly AsyncPoller? _poller;
    private readonly bool _inline;
    private DeviceBuffer? _scratch;
    private int _freeCount;
    private int _asyncInFlight;
    private int _inFlight;
    private volatile bool _disposed;

    /// <summary>A context on <paramref name="queue"/>; <paramref name="poller"/> completes its asynchronous requests
    /// (null: whoever calls <see cref="Poll(int)"/>, or the submitter itself on an inline queue).</summary>
    public WdContext(WdQueue queue, AsyncPoller? poller, SyncWaitStrategy syncWait = SyncWaitStrategy.Adaptive)
    {
        Queue = queue;
        _syncWait = syncWait;
        _inline = queue.IsInline;
        _poller = _inline ? null : poller;
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
        Metrics = new ContextMetrics(queue.Device);
        _poller?.Add(this);
        InFlightContexts.Add(this);
    }

    /// <summary>This context's side of the <c>WarpDrive</c> meter (its device's tag values).</summary>
    public ContextMetrics Metrics { get; }

    /// <summary>Requests published and not yet completed (sync and async): the least-loaded policy's measure.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Asynchronous requests published and not yet delivered.</summary>
    public int AsyncInFlight => Volatile.Read(ref _asyncInFlight);

    /// <summary>Set by a sleeping poller while it waits on this queue's completion word: a submission need not wake it.</summary>
    public volatile bool PollerWatching;

    /// <summary>Whether the queue is served by its submitters (Mix mode's inline path).</summary>
    public bool IsInline => _inline;

    /// <summary>Whether the device still serves the queue.</summary>
    public bool IsUsable => !_disposed && Queue.State == QueueState.Started;

    public WdQueue Queue { get; }

    /// <summary>Request slots: the most requests in flight on this context.</summary>
    public int Depth => _slots.Length;

    /// <summary>Requests of <paramref name="library"/> published on this context (the path counts of
    /// <see cref="WdRuntime.GetRequestPaths"/>: a context may serve several libraries, as the SEC ones share the inline
    /// queues).</summary>
    public long Submitted(AlgorithmLibrary library) => Volatile.Read(ref _submittedBy[(int)library]);

    /// <summary>Slots not rented (tests: <see cref="Depth"/> when nothing is in flight).</summary>
    public int FreeSlots => _available.CurrentCount;

    /// <summary>Pins and shares held by the context's slots (tests: 0 when nothing is in flight).</summary>
    public int HeldBuffers
    {
        get
        {
            int held = 0;
            foreach (RequestSlot slot in _slots)
            {
                held += slot.HeldBuffers;
            }

            return held;
        }
    }

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

    /// <summary>Whether a stream session is bound to this context (its device stream lives in this queue).</summary>
    public bool HasStreams
    {
        get
        {
            lock (_freeLock)
            {
                return Array.IndexOf(_streamIds, true) >= 0;
            }
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
        bool submitted = false;
        Submit(slot, in sqe, ref submitted);
    }

    /// <summary>As <see cref="Submit(RequestSlot, in Sqe)"/>; <paramref name="submitted"/> turns true once the request is
    /// in flight. An exception after that (a callback of an inline request that threw) leaves the slot to its
    /// completion: the caller must not give it back.</summary>
    public void Submit(RequestSlot slot, in Sqe sqe, ref bool submitted)
    {
        if (_inline)
        {
            SubmitInline(new ReadOnlySpan<RequestSlot>(in slot), new ReadOnlySpan<Sqe>(in sqe), ref submitted);
            return;
        }

        lock (_submitLock)
        {
            Publish(slot, in sqe);
            try
            {
                Queue.Flush();
            }
            catch
            {
                Unpublish(slot);
                throw;
            }
        }

        submitted = true;
        if (slot.IsAsync)
        {
            _poller?.Notify(this);
        }
    }

    /// <summary>Publishes a batch of requests with one doorbell (all are async or all sync). On an exception before
    /// <paramref name="submitted"/> turns true none of them is in flight; after it, all are (see
    /// <see cref="Submit(RequestSlot, in Sqe, ref bool)"/>).</summary>
    public void SubmitBatch(ReadOnlySpan<RequestSlot> slots, ReadOnlySpan<Sqe> sqes, ref bool submitted)
    {
        if (_inline)
        {
            SubmitInline(slots, sqes, ref submitted);
            return;
        }

        lock (_submitLock)
        {
            PublishLocked(slots, sqes);
        }

        submitted = true;
        if (slots.Length > 0 && slots[0].IsAsync)
        {
            _poller?.Notify(this);
        }
    }

    private void PublishLocked(ReadOnlySpan<RequestSlot> slots, ReadOnlySpan<Sqe> sqes)
    {
        int published = 0;
        try
        {
            for (; published < slots.Length; published++)
            {
                Publish(slots[published], in sqes[published]);
            }

            Queue.Flush();
        }
        catch
        {
            // Published SQEs went to a queue the device no longer serves (the only way TrySend or Flush throws):
            // none of them will complete.
            for (int i = 0; i < published; i++)
            {
                Unpublish(slots[i]);
            }

            throw;
        }
    }

    /// <summary>No engine: this thread is the device. It publishes, serves and reaps its requests under the submit and
    /// reap locks, so that no other thread takes a completion it is about to look for (a request of a thread that
    /// shares this queue would otherwise be left undelivered, or be delivered on another thread after its caller
    /// returned), and the rings are empty whenever nobody holds them. Async requests are delivered before this returns:
    /// a ValueTask is done before its caller gets it, a callback has run.</summary>
    private void SubmitInline(ReadOnlySpan<RequestSlot> slots, ReadOnlySpan<Sqe> sqes, ref bool submitted)
    {
        int[]? rented = null;
        Span<int> ready = slots.Length <= ReapBatch ? stackalloc int[ReapBatch] : (rented = ArrayPool<int>.Shared.Rent(slots.Length));
        try
        {
            int count = 0;
            lock (_submitLock)
            lock (_reapLock)
            {
                PublishLocked(slots, sqes);
                try
                {
                    Queue.ServeInline();
                }
                catch
                {
                    // Not served (the device is being disposed): none of them will complete.
                    foreach (RequestSlot slot in slots)
                    {
                        Unpublish(slot);
                    }

                    throw;
                }

                submitted = true;
                while (count < ready.Length && ReapLocked(ready[count..], out int asyncReady) > 0)
                {
                    count += asyncReady;
                }
            }

            try
            {
                Deliver(ready[..count], inline: true);
            }
            finally
            {
                if (AsyncInFlight > 0 && Queue.State != QueueState.Started)
                {
                    FailAsyncInFlight(reap: true); // the device isolated itself while serving
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private void Publish(RequestSlot slot, in Sqe sqe)
    {
        // In flight before the SQE is visible (the device may complete it at once), and only under the submit lock,
        // which FailAsyncInFlight also takes: it never sees a slot whose submission is still undecided.
        slot.InFlight = true;
        slot.NoteSubmission(in sqe);
        if (AlgorithmLibraries.IndexOf(sqe.Opcode) is >= 0 and int library)
        {
            _submittedBy[library]++;
        }
        Interlocked.Increment(ref _inFlight);
        if (slot.IsAsync)
        {
            slot.SubmittedAt = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _asyncInFlight);
        }
        else
        {
            slot.SubmittedAt = WdMetrics.Duration.Enabled ? Stopwatch.GetTimestamp() : 0;
        }

        try
        {
            // At most Depth slots exist, so the ring has room unless the device stopped consuming.
            if (!Queue.TrySend(in sqe))
            {
                ThrowHelper.QueueFull();
            }
        }
        catch
        {
            Unpublish(slot);
            throw;
        }
    }

    private void Unpublish(RequestSlot slot)
    {
        // Not published, or published to a queue the device no longer serves: it will never complete.
        slot.InFlight = false;
        Interlocked.Decrement(ref _inFlight);
        if (slot.IsAsync)
        {
            Interlocked.Decrement(ref _asyncInFlight);
        }
    }

    /// <summary>Reaps for up to <see cref="s_lastCompletionWait"/> after the queue left STARTED: true when something
    /// came (the completion that crossed the error threshold is posted after the disable). Under the reap lock.</summary>
    private bool ReapAfterDisable(Span<int> ready, RequestSlot slot, out int asyncReady)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(s_lastCompletionWait.TotalSeconds * Stopwatch.Frequency);
        SpinWait spin = default;
        do
        {
            if (ReapLocked(ready, out asyncReady) > 0 || slot.Done)
            {
                return true;
            }

            spin.SpinOnce(sleep1Threshold: 20);
        }
        while (Stopwatch.GetTimestamp() < deadline);
        return false;
    }

    /// <summary>Reaps until <paramref name="slot"/> is done; <paramref name="submittedAt"/> (0: none) feeds the service
    /// time estimate.</summary>
    public void WaitSync(RequestSlot slot, long submittedAt)
    {
        Span<int> ready = stackalloc int[ReapBatch];
        TimeSpan spin = SyncSpin();
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
                        // A completion may have landed just before the status word changed, and the one whose error
                        // disabled the queue is posted just after it (QUEUE-ABI.md): look again for a moment.
                        if (ReapAfterDisable(ready, slot, out asyncReady))
                        {
                            break;
                        }

                        ThrowHelper.QueueDisabled(state, Queue.DisableReason);
                    }

                    Queue.WaitForCompletion(TimeSpan.FromMilliseconds(100), spin);
                    CheckAliveNowAndThen();
                }
            }

            Deliver(ready[..asyncReady]);
        }

        // Moving average of the service time (races between callers only blur it). A caller that slept at once counts
        // its wake-up in the sample: such a sample may lower the estimate but not raise it, else the wake-ups alone
        // would keep an adaptive caller asleep after its requests got short.
        if (submittedAt == 0)
        {
            return;
        }

        long sample = Stopwatch.GetTimestamp() - submittedAt;
        long estimate = Volatile.Read(ref _serviceTicks);
        if (spin == TimeSpan.Zero && sample > estimate)
        {
            sample = estimate;
        }

        Volatile.Write(ref _serviceTicks, ((estimate * 7) + sample) / 8);
    }

    /// <summary>A synchronous request whose wait failed (its queue stopped being served: it will never complete) stops
    /// counting as in flight, so that its slot may go back and the context be retired.</summary>
    public void AbandonSync(RequestSlot slot)
    {
        lock (_submitLock)
        lock (_reapLock)
        {
            if (slot.InFlight)
            {
                Unpublish(slot);
            }
        }
    }

    /// <summary>How long a synchronous caller polls before it sleeps (<see cref="SyncWaitStrategy"/>).</summary>
    private TimeSpan SyncSpin()
    {
        long service = Volatile.Read(ref _serviceTicks);
        if (_syncWait == SyncWaitStrategy.Sleep || (_syncWait == SyncWaitStrategy.Adaptive && service > s_longServiceTicks))
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks(Math.Clamp(2 * service, s_minSpinTicks, s_maxSpinTicks) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
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
                if (_disposed)
                {
                    return total;
                }

                reaped = ReapLocked(ready, out asyncReady);
            }
            finally
            {
                _reapLock.Exit();
            }

            Deliver(ready[..asyncReady]);
            if (reaped == 0)
            {
                if (AsyncInFlight > 0)
                {
                    CheckAliveNowAndThen();
                }

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

    /// <summary>While a wait drags on, asks every <see cref="s_aliveCheckTicks"/> whether the broker is still there: one
    /// that was killed never completes the request nor updates the status word.</summary>
    private void CheckAliveNowAndThen()
    {
        long now = Stopwatch.GetTimestamp();
        long next = Volatile.Read(ref _nextAliveCheck);
        if (now >= next && Interlocked.CompareExchange(ref _nextAliveCheck, now + s_aliveCheckTicks, next) == next)
        {
            Queue.CheckAlive();
        }
    }

    private int ReapLocked(Span<int> ready, out int asyncReady)
    {
        int reaped = 0;
        asyncReady = 0;
        while (asyncReady < ready.Length && Queue.TryReceive(out Cqe cqe))
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

            if (WdMetrics.AnyRequestInstrumentEnabled)
            {
                Metrics.Completed(slot, in cqe); // before Record: a synchronous caller that sees its result sees it counted
            }

            slot.Record(in cqe);
            Interlocked.Decrement(ref _inFlight);
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

    private void Deliver(ReadOnlySpan<int> ready, bool inline = false)
    {
        // Every completion is delivered even when a callback throws (exactly once); the first exception then escapes
        // to whoever polled.
        Exception? first = null;
        foreach (int index in ready)
        {
            Interlocked.Decrement(ref _asyncInFlight);
            try
            {
                _slots[index].Deliver(inline);
            }
            catch (Exception e)
            {
                first ??= e;
            }
        }

        if (first is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>How long a poller polls before it sleeps: the queue's usual spin while async requests complete within
    /// a few times that, none when they take longer (then a wake-up costs less than the spinning it replaces).</summary>
    public TimeSpan PollerSpin() =>
        Volatile.Read(ref _asyncServiceTicks) > s_longServiceTicks ? TimeSpan.Zero : Queue.SpinBeforeSleep;

    /// <summary>How long a poller may wait before it reaps this context, to take its completions in bursts: requests
    /// that spend milliseconds queued (a deep queue of long requests) lose little to a pause of a sixteenth of that,
    /// and neither the engine (no wake-up call per completion) nor the poller (one wake-up per burst) pays per request.
    /// Zero while requests complete within a millisecond.</summary>
    public TimeSpan CoalesceDelay()
    {
        long estimate = Volatile.Read(ref _asyncServiceTicks);
        return estimate < s_coalesceAboveTicks
            ? TimeSpan.Zero
            : TimeSpan.FromTicks(Math.Min(estimate / 16, s_maxCoalesceTicks) * TimeSpan.TicksPerSecond / Stopwatch.Frequency);
    }

    private static readonly long s_coalesceAboveTicks = Stopwatch.Frequency / 1_000; // 1 ms
    private static readonly long s_maxCoalesceTicks = Stopwatch.Frequency / 2_000; // 500 us

    /// <summary>Forgets the async service-time estimate (the context went idle: the next burst is measured afresh).</summary>
    public void ResetAsyncEstimate() => Volatile.Write(ref _asyncServiceTicks, 0);

    /// <summary>Fails the async requests the device will never complete. Call only once the device has left the
    /// queue (disabled, or released): their buffers are unpinned here.</summary>
    private void FailAsyncInFlight(bool reap)
    {
        // Completions posted before the queue stopped are delivered first (unless the queue is released and its
        // region may already serve another owner); what is left will never complete.
        // Under the reap lock, so that no reaper records a slot while we abandon it.
        // Delivered after the locks: a callback must not run under them (one that waits for another thread's
        // submission to this context would deadlock).
        var abandoned = new List<RequestSlot>();
        var reaped = new List<int>();
        lock (_submitLock)
        lock (_reapLock)
        {
            Span<int> ready = stackalloc int[ReapBatch];
            while (reap && !_disposed && ReapLocked(ready, out int asyncReady) > 0)
            {
                foreach (int index in ready[..asyncReady])
                {
                    reaped.Add(index);
                }
            }

            foreach (RequestSlot slot in _slots)
            {
                if (slot.InFlight && slot.IsAsync)
                {
                    slot.Abandon();
                    Interlocked.Decrement(ref _inFlight);
                    abandoned.Add(slot);
                }
            }
        }

        try
        {
            Deliver(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(reaped));
        }
        finally
        {
            FailAbandoned(abandoned);
        }
    }

    private void FailAbandoned(List<RequestSlot> abandoned)
    {
        foreach (RequestSlot slot in abandoned)
        {
            Interlocked.Decrement(ref _asyncInFlight);
            if (WdMetrics.AnyRequestInstrumentEnabled)
            {
                Metrics.Abandoned(slot);
            }

            slot.Fail(new WdException(_disposed
                ? $"the context on {Queue.Device.Name} was disposed before the request completed"
                : $"{Queue.Device.Name}: {ThrowHelper.DescribeQueue(Queue.State, Queue.DisableReason)}: the request was not completed"));
        }
    }

    /// <summary>Releases the queue; the library's pollers must have stopped serving this context.</summary>
    public void Dispose()
    {
        InFlightContexts.Remove(this);
        _poller?.Remove(this);
        lock (_reapLock)
        {
            _disposed = true; // a poller that still holds this context sees it under the reap lock and leaves it alone
        }

        // Releasing the queue waits until the engine has left it; only then may in-flight buffers be unpinned. Under the
        // submit lock: a submitter past its own checks must not write into a region being unmapped.
        lock (_submitLock)
        {
            Queue.Dispose();
        }
        FailAsyncInFlight(reap: false);
        foreach (RequestSlot slot in _slots)
        {
            slot.DisposeSharedTable(); // the queue is gone: no request reads a table any more
        }

        _scratch?.Dispose();

        // _available is not disposed: a late GetResult still returns its slot (no wait handle was ever created).
    }
}
