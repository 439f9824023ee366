using System.Diagnostics;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>One worker of a device: a thread that polls its queues, validates and executes SQEs, and posts CQEs.
/// Idle, it spins for a bounded time, then sets each queue's <c>device_waiting</c> flag and sleeps on a futex
/// word; a producer that sees the flag rings the doorbell (<see cref="Wake"/>).</summary>
internal sealed unsafe class QueueWorker : IDisposable
{
    private const int BatchPerQueue = 32;
    private const int MaxWaiters = 128; // futex_waitv's limit
    private static readonly TimeSpan s_shortNap = TimeSpan.FromMilliseconds(1);
    private static readonly bool s_waitAny = Futex.IsWaitAnySupported;
    private static readonly double s_nanosPerTick = 1e9 / Stopwatch.Frequency;

    private readonly DeviceHost _host;
    private readonly int _index;
    private readonly long _quantumTicks;
    private readonly Thread _thread;
    private readonly uint* _wakeWord = (uint*)NativeMemory.AllocZeroed(sizeof(uint));
    private HardwareQueue[] _queues = [];
    private FutexWaiter[] _waiters = [];
    private readonly Lock _inlineLock = new();
    private object? _inlineState;
    private volatile bool _stopping;
    private long _turn;

    public QueueWorker(DeviceHost host, int index)
    {
        _host = host;
        _index = index;
        _quantumTicks = Math.Max(1, (long)(host.Options.WorkerQuantum.TotalSeconds * Stopwatch.Frequency));
        _thread = new Thread(Run) { IsBackground = true, Name = $"{host.Name}-worker-{index}" };
    }

    public void Start(HardwareQueue[] queues)
    {
        _queues = queues;
        _waiters = new FutexWaiter[Math.Min(queues.Length + 1, MaxWaiters)];
        _thread.Start();
    }

    public void Wake()
    {
        Interlocked.Increment(ref *_wakeWord);
        Futex.Wake((nint)_wakeWord);
    }

    private void Run()
    {
        object? state = CreateState(_host, _host.Options.BulkThresholdBytes);
        long spinTicks = (long)(_host.Options.SpinBeforeSleep.TotalSeconds * Stopwatch.Frequency);
        long idleSince = 0;
        int idleRounds = 0;
        try
        {
            while (!_stopping)
            {
                if (ServeAll(state))
                {
                    idleSince = 0;
                    continue;
                }

                long now = Stopwatch.GetTimestamp();
                if (idleSince == 0)
                {
                    idleSince = now;
                }

                if (now - idleSince < spinTicks)
                {
                    // Yield now and then: on a machine with few cores, the thread that would give this worker work
                    // (a client, its poller) may be waiting for this very core.
                    if ((++idleRounds & 31) == 0)
                    {
                        Thread.Yield();
                    }
                    else
                    {
                        Thread.SpinWait(20);
                    }

                    continue;
                }

                _host.Model.OnEngineIdle(state);
                Sleep();
                idleSince = 0;
            }
        }
        finally
        {
            _host.Model.DisposeEngineState(state);
        }
    }

    /// <summary>Serves <paramref name="q"/> on the calling thread until its ring is empty (an inline device: this
    /// worker's thread never starts).</summary>
    public bool ServeInline(HardwareQueue q)
    {
        lock (_inlineLock)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _inlineState ??= CreateState(_host, 0);
            if (!q.TryEnter())
            {
                return false;
            }

            try
            {
                if (!q.IsServing)
                {
                    return false;
                }

                if (_host.IsIsolated)
                {
                    q.DisableHeld(QueueDisableReason.DeviceIsolated);
                    return false;
                }

                bool any = false;
                long unlimited = long.MaxValue; // one tenant, on its own thread: no turns
                while (Serve(q, _inlineState, ref unlimited, timed: false))
                {
                    any = true;
                }

                return any;
            }
            finally
            {
                q.Exit();
            }
        }
    }

    private void Sleep()
    {
        // The worker sleeps on its own word (start, stop) and on the doorbell of every queue it serves: a client
        // rings its queue's doorbell word in the shared region, so a broker client can wake a worker of another
        // process. futex_waitv takes at most 128 words.
        Span<FutexWaiter> waiters = _waiters;
        uint snapshot = Volatile.Read(ref *_wakeWord);
        waiters[0] = FutexWaiter.Create((nint)_wakeWord, snapshot);
        int count = 1;
        bool work = false, overflow = false;
        long now = Stopwatch.GetTimestamp(), wakeAt = long.MaxValue;
        foreach (HardwareQueue q in _queues)
        {
            q.Bell.Listened = false;
            if (q.InBulk)
            {
                continue; // the bulk lane has its request and wakes this worker when it is done
            }

            if (!q.TryEnter())
            {
                // Held for a moment (a grace period looking for the worker, a stop finishing): it cannot be announced now,
                // and a worker asleep without it would not hear its doorbell. Look again instead of sleeping.
                work = true;
                continue;
            }

            try
            {
                if (!q.IsServing)
                {
                    continue;
                }

                // Dekker: read the doorbell, announce, fence, look at the ring again. A producer publishes, fences,
                // reads device_waiting, then advances the doorbell: either we see its SQE, or the wait sees a changed
                // doorbell (or is woken).
                uint bell = Volatile.Read(ref q.Region.Doorbell);
                Volatile.Write(ref q.Region.DeviceWaiting, 1u);
                Interlocked.MemoryBarrier();
                if (q.Sq.HasWork())
                {
                    if (q.Tenant.IsCapped && !q.Tenant.TryAdmit(_index, now, out long eligibleAt))
                    {
                        // Over its cap: the worker sleeps until the tenant's bucket has time again.
                        wakeAt = Math.Min(wakeAt, eligibleAt);
                    }
                    else
                    {
                        // A waiting SQE keeps the worker awake even when the CQ is full: the client frees CQ slots
                        // without a doorbell, so a sleeping worker would notice only at the timeout.
                        work = true;
                    }
                }
                else if (q.Sq.HasInvalidSlot())
                {
                    q.DisableHeld(QueueDisableReason.RingViolation);
                }
                else if (q.Bell.MutedUntil > now)
                {
                    // Its doorbell rang again and again with nothing behind it: not listened to for a while (the
                    // storm then costs the client its syscalls, not this worker its wake-ups); looked at when the
                    // mute ends.
                    wakeAt = Math.Min(wakeAt, q.Bell.MutedUntil);
                }
                else if (count < waiters.Length)
                {
                    waiters[count++] = FutexWaiter.Create(q.Region.DoorbellAddress, bell);
                    q.Bell.Listen(bell);
                }
                else
                {
                    overflow = true;
                }
            }
            finally
            {
                q.Exit();
            }
        }

        if (!work && !_stopping)
        {
            // The timeout bounds the damage of a lost wake-up from a misbehaving client. Without futex_waitv (Linux
            // before 5.16), or with more queues than it takes, the worker naps briefly instead.
            if (overflow || !s_waitAny)
            {
                Futex.Wait((nint)_wakeWord, snapshot, s_shortNap);
            }
            else
            {
                // A queue released since the scan above may have had its ring unmapped by the broker: WaitAny then
                // returns at once (EFAULT is a spurious wake-up to it) and we scan again.
                TimeSpan timeout = _host.Options.IdleSleepTimeout;
                if (wakeAt != long.MaxValue)
                {
                    timeout = TimeSpan.FromTicks(Math.Min(timeout.Ticks, Math.Max(0, Stopwatch.GetElapsedTime(now, wakeAt).Ticks)));
                }

                Futex.TryWaitAny(waiters[..count], timeout, out _);
            }
        }

        now = Stopwatch.GetTimestamp();
        foreach (HardwareQueue q in _queues)
        {
            if (q.TryEnter())
            {
                if (q.IsServing)
                {
                    Volatile.Write(ref q.Region.DeviceWaiting, 0u);
                    if (q.Bell.Listened && Volatile.Read(ref q.Region.Doorbell) != q.Bell.Snapshot && !q.Sq.HasWork())
                    {
                        q.Bell.Strike(now);
                    }
                }

                q.Exit();
            }
        }
    }

    private bool ServeAll(object? state)
    {
        // Deficit round robin on measured worker time: a tenant serves while its deficit is positive and is skipped
        // when it is spent; once every tenant with work has spent its deficit, each gets another turn of
        // quantum x weight. A queue whose request is in the bulk lane waits for it (its order is kept).
        bool any = false, spent = false;
        // With one tenant there is no time to share: no turns and no clock reads on the request path.
        bool shared = _host.ActiveTenants > 1 || _host.AnyCapped;
        long now = 0; // read once per pass, and only for a capped tenant
        foreach (HardwareQueue q in _queues)
        {
            if (q.InBulk || !q.TryEnter())
            {
                continue;
            }

            try
            {
                if (!q.IsServing)
                {
                    continue;
                }

                if (_host.IsIsolated)
                {
                    // A device that isolated itself is not trusted with more work, on new queues or old ones:
                    // their owners see DISABLED (device isolated) and can move to another device.
                    q.DisableHeld(QueueDisableReason.DeviceIsolated);
                    continue;
                }

                if (!shared)
                {
                    long unlimited = long.MaxValue;
                    any |= Served(q, Serve(q, state, ref unlimited, timed: false));
                    continue;
                }

                DeviceTenant tenant = q.Tenant;
                ref long deficit = ref tenant.Deficit(_index);
                if (deficit <= 0)
                {
                    spent |= q.Sq.HasWork();
                    continue;
                }

                if (!tenant.IsCapped)
                {
                    any |= Served(q, Serve(q, state, ref deficit, timed: true));
                    continue;
                }

                // A capped tenant whose bucket is empty waits for it, even with the worker otherwise idle.
                now = now == 0 ? Stopwatch.GetTimestamp() : now;
                if (!tenant.TryAdmit(_index, now, out _))
                {
                    continue;
                }

                long before = tenant.Ticks(_index);
                any |= Served(q, Serve(q, state, ref deficit, timed: true));
                tenant.Spend(_index, tenant.Ticks(_index) - before);
            }
            finally
            {
                q.Exit();
            }
        }

        if (!any && spent)
        {
            NextTurn();
            return true;
        }

        return any;
    }

    /// <summary>A queue that had work rang its doorbell for a reason: it is listened to again at once.</summary>
    private static bool Served(HardwareQueue q, bool served)
    {
        if (served)
        {
            q.Bell.Forgive();
        }

        return served;
    }

    /// <summary>Gives every tenant of this worker's queues one more turn, once each: its deficit grows by the quantum
    /// times its weight, up to one turn (an idle tenant does not bank time).</summary>
    private void NextTurn()
    {
        long turn = ++_turn;
        foreach (HardwareQueue q in _queues)
        {
            DeviceTenant? tenant = q.TenantOrNull;
            if (tenant is null || !tenant.TryStartTurn(_index, turn))
            {
                continue;
            }

            long share = _quantumTicks * tenant.Weight;
            ref long deficit = ref tenant.Deficit(_index);
            deficit = Math.Min(deficit + share, share);
        }
    }

    /// <param name="timed">Tenants share the worker: each request is timed and paid from <paramref name="deficit"/>.</param>
    private bool Serve(HardwareQueue q, object? state, ref long deficit, bool timed)
    {
        bool bulk = _host.Bulk is not null; // null for an inline device
        bool routeLong = bulk && _host.Model.HasLongRequests;
        // The counters: plain stores by the thread that holds the queue (docs/STATS.md). Each completion is
        // counted before it is published, so a client that has its CQE sees it counted.
        QueueStatsRecord* stats = q.Stats;
        int served = 0;
        bool drained = false;
        // One timestamp per request: the end of one is the start of the next; the tenant is charged once per batch.
        long start = timed ? Stopwatch.GetTimestamp() : 0, mark = start;
        while (served < BatchPerQueue && deficit > 0 && !q.StopRequested && !q.YieldRequested)
        {
            if (!q.Cq.HasSpace())
            {
                if (q.Cq.ClientHeadInvalid)
                {
                    q.DisableHeld(QueueDisableReason.RingViolation);
                }

                break;
            }

            if (!q.Sq.TryConsume(out Sqe sqe))
            {
                drained = true;
                break;
            }

            stats->Submitted++;
            if ((routeLong && _host.Model.IsLong(in sqe)) || !RunRequest(_host, q, in sqe, state))
            {
                // Long, or over this lane's budget: the bulk lane runs it, and the queue waits for it there.
                _host.Bulk!.Enqueue(q, in sqe);
                served++;
                break;
            }

            served++;
            if (timed)
            {
                long now = Stopwatch.GetTimestamp();
                deficit -= now - mark;
                mark = now;
            }
        }

        if (mark != start)
        {
            q.Tenant.Charge(_index, mark - start);
            stats->BusyNanos += (ulong)((mark - start) * s_nanosPerTick);
        }

        // What still waits in the ring: none when this batch emptied it (the common case costs no shared read),
        // else the client's sq_tail against our head.
        uint waiting = drained ? 0 : q.Sq.Pending();
        if (stats->Waiting != waiting)
        {
            stats->Waiting = waiting;
        }

        return served > 0;
    }

    /// <summary>Runs one consumed SQE of <paramref name="q"/> (held by the caller) and posts its completion: the one
    /// request body of the workers and the bulk lane.</summary>
    /// <returns>false when it names more memory than the lane's budget (<see cref="RequestMemory.OverBudget"/>):
    /// nothing ran and nothing was posted.</returns>
    internal static bool RunRequest(DeviceHost host, HardwareQueue q, in Sqe sqe, object? state)
    {
        QueueStatsRecord* stats = q.Stats;
        Cqe cqe = default;
        cqe.UserData = sqe.UserData;
        Execute(host, in sqe, q, state, ref cqe);
        if (cqe.Status == RequestMemory.OverBudget)
        {
            (state as IEngineState)?.Memory.ScrubSecrets();
            return false;
        }

        // Input taken: an OK request took src_len (unless that counts data-list entries rather than bytes); an
        // OUT_OF_SPACE one took `consumed` (0 in block mode) and comes back for the rest; an error took nothing.
        bool disable = false;
        if (cqe.Status == CompletionStatus.Ok)
        {
            if ((sqe.Flags & SqeFlags.SrcDataList) == 0)
            {
                stats->BytesIn += sqe.SrcLen;
            }
        }
        else if (cqe.Status == CompletionStatus.OutOfSpace)
        {
            stats->BytesIn += cqe.Consumed;
        }
        else
        {
            Interlocked.Increment(ref q.Region.ErrorCount);
            stats->Errors++;
            disable = cqe.Status is (CompletionStatus.BadRequest or CompletionStatus.AddressFault) && q.CountDescriptorError();
        }

        if (disable)
        {
            // Before the completion: a client that sees the error that crossed the threshold sees the queue disabled.
            q.DisableHeld(QueueDisableReason.TooManyErrors);
        }

        stats->BytesOut += cqe.Produced;
        stats->Completed++;
        q.Cq.Post(in cqe);
        if (q.Cq.PublishAndCheckWaiter())
        {
            Futex.Wake(q.Region.CqWakeAddress);
        }

        return true;
    }

    /// <summary>Nanoseconds per Stopwatch tick, for <c>busy_ns</c>.</summary>
    internal static double NanosPerTick => s_nanosPerTick;

    /// <summary>The model's per-thread state for a worker, the bulk lane or the inline path, with the most memory one
    /// request may name there before it moves to the bulk lane (0: no limit).</summary>
    internal static object? CreateState(DeviceHost host, long budget)
    {
        object? state = host.Model.CreateEngineState(host);
        if (state is IEngineState s && budget > 0)
        {
            s.Memory.SetLaneBudget(budget);
        }

        return state;
    }

    private static void Execute(DeviceHost host, in Sqe sqe, HardwareQueue q, object? state, ref Cqe cqe)
    {
        // Generic checks every device applies; the model checks its own fields (Arg, Params) and every address.
        if (sqe.Reserved0 != 0 || sqe.Reserved3 != 0 || (sqe.Flags & ~SqeFlags.All) != 0)
        {
            cqe.Status = CompletionStatus.BadRequest;
            return;
        }

        if (sqe.Opcode == Opcode.Nop)
        {
            if (sqe.Arg != 0 || sqe.Params != 0)
            {
                cqe.Status = CompletionStatus.BadRequest;
                return;
            }

            cqe.Status = CompletionStatus.Ok;
            return;
        }

        if (host.ShouldInjectFault())
        {
            cqe.Status = CompletionStatus.InternalError;
            host.RecordFault("injected fault (fault_injection)");
            return;
        }

        try
        {
            host.Model.Execute(in sqe, q, state, ref cqe);
        }
        catch (Exception e)
        {
            // This request's failure, not the device's: it completes INTERNAL_ERROR with nothing produced, and does not
            // count against isolate_strategy (the rule: DeviceHost.RecordRequestFailure). Keep serving: a worker
            // thread that died would take the process (the broker) with it.
            cqe = new Cqe { UserData = sqe.UserData, Status = CompletionStatus.InternalError };
            host.RecordRequestFailure(q, e);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        lock (_inlineLock)
        {
            if (_inlineState is not null)
            {
                _host.Model.DisposeEngineState(_inlineState);
                _inlineState = null;
            }
        }

        NativeMemory.Free(_wakeWord);
    }
}
