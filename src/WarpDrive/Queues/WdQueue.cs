using System.Diagnostics;
using System.Runtime.CompilerServices;
using WarpDrive.Abi;
using WarpDrive.Discovery;
using WarpDrive.Platform;

namespace WarpDrive;

/// <summary>One queue on a device (libwd's context): the driver for <c>wd_ring_v1</c>. Write SQEs with
/// <see cref="TrySend"/> (many, then one <see cref="Flush"/>: one doorbell), read CQEs with <see cref="TryRecv"/>
/// (poll) or <see cref="RecvSync"/> (wait).</summary>
/// <remarks>Not thread-safe: one thread submits and one thread reaps at a time (they may differ).
/// The algorithm libraries serialise their own use.</remarks>
public sealed class WdQueue : IDisposable
{
    private readonly QueueTransport _transport;
    private readonly QueueRegion _region;
    private readonly SubmissionProducer _sq;
    private readonly CompletionConsumer _cq;
    private int _disposed;
    private bool _lost; // the broker went away without a word: nothing serves the queue
    private int _waiters; // threads inside RecvSync or WaitForCompletion: Dispose unmaps the region only when none is left

    internal WdQueue(QueueTransport transport)
    {
        _transport = transport;
        string? error = QueueRegion.TryOpen(transport.RegionBase, transport.RegionSize, out _region);
        if (error is not null)
        {
            transport.Dispose();
            throw new WdException($"cannot open queue on {transport.Device.Name}: {error}");
        }

        _sq = new SubmissionProducer(_region);
        _cq = new CompletionConsumer(_region);
    }

    /// <summary>The device this queue belongs to.</summary>
    public WdDeviceInfo Device => _transport.Device;

    /// <summary>The queue's id within its device.</summary>
    public uint QueueId => _region.QueueId;

    /// <summary>Ring depth: the most requests in flight.</summary>
    public int Depth => _region.Depth;

    /// <summary>Device stream contexts this queue may use (<c>StreamId</c> below this).</summary>
    public int MaxStreams => (int)_region.MaxStreams;

    /// <summary>The status word; <see cref="QueueState.Released"/> once this queue is disposed (a broker queue's region
    /// is unmapped then, so the word is not read).</summary>
    public QueueState State => Volatile.Read(ref _disposed) != 0 ? QueueState.Released
        : Volatile.Read(ref _lost) || _transport.IsGone ? QueueState.Disabled
        : (QueueState)Volatile.Read(ref _region.State);

    /// <summary>Why the device disabled the queue (meaningful once <see cref="State"/> is Disabled).</summary>
    public QueueDisableReason DisableReason =>
        Volatile.Read(ref _disposed) != 0 ? QueueDisableReason.None
        : Volatile.Read(ref _lost) || _transport.IsGone ? QueueDisableReason.BrokerLost
        : (QueueDisableReason)Volatile.Read(ref _region.DisableReason);

    /// <summary>Asks the transport whether the device's owner is still there (one system call on a broker queue); once
    /// it is gone, <see cref="State"/> reads Disabled with <see cref="QueueDisableReason.BrokerLost"/>.</summary>
    internal void CheckAlive()
    {
        if (!Volatile.Read(ref _lost) && Volatile.Read(ref _disposed) == 0 && _transport.IsLost)
        {
            Volatile.Write(ref _lost, true);
        }
    }

    /// <summary>The ring region itself, for tests that play a hostile client writing straight into it.</summary>
    internal QueueRegion Region => _region;

    /// <summary>Error completions this queue has produced.</summary>
    public uint ErrorCount => Volatile.Read(ref _disposed) != 0 ? 0 : Volatile.Read(ref _region.ErrorCount);

    /// <summary>How long <see cref="RecvSync"/> polls before it sleeps.</summary>
    public TimeSpan SpinBeforeSleep { get; set; } = TimeSpan.FromMicroseconds(20);

    /// <summary>Publishes one SQE. The device sees it when it next polls; call <see cref="Flush"/> after a batch
    /// so that a sleeping engine wakes up.</summary>
    /// <returns>false when the ring is full.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TrySend(in Sqe sqe)
    {
        ThrowIfDisposed();
        QueueState state = State;
        if (state != QueueState.Started)
        {
            ThrowHelper.QueueDisabled(state, DisableReason);
        }

        return _sq.TryPublish(in sqe);
    }

    /// <summary>Publishes as many of <paramref name="sqes"/> as fit, then rings the doorbell once.</summary>
    /// <returns>How many were published.</returns>
    public int Send(ReadOnlySpan<Sqe> sqes)
    {
        int sent = 0;
        while (sent < sqes.Length && TrySend(in sqes[sent]))
        {
            sent++;
        }

        Flush();
        return sent;
    }

    /// <summary>Rings the doorbell if the engine may be asleep (one system call at most, none while it polls).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Flush()
    {
        ThrowIfDisposed();
        QueueState state = State;
        if (state != QueueState.Started)
        {
            ThrowHelper.QueueDisabled(state, DisableReason);
        }

        if (_sq.RingDoorbellIfWaiting())
        {
            // The doorbell is a futex word in the shared region: the engine sleeps on it, in this process or another.
            Futex.Wake(_region.DoorbellAddress);
        }
    }

    /// <summary>Whether this queue's device has no engine threads (Mix mode's inline device): whoever submits serves
    /// it with <see cref="ServeInline"/>.</summary>
    internal bool IsInline => _transport.ServesInline;

    /// <summary>Runs the requests waiting in an inline queue on the calling thread.</summary>
    internal void ServeInline()
    {
        ThrowIfDisposed();
        _transport.ServeInline();
    }

    /// <summary>Takes the next completion, if one is ready.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryRecv(out Cqe cqe)
    {
        ThrowIfDisposed();
        return _cq.TryConsume(out cqe);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        // After release the region may already belong to the next owner, or be unmapped (broker): never touch it again.
        if (Volatile.Read(ref _disposed) != 0)
        {
            ThrowHelper.ObjectDisposed(this);
        }
    }

    /// <summary>Waits for the next completion: polls for <see cref="SpinBeforeSleep"/>, then sleeps on the queue's
    /// futex until the device posts one.</summary>
    /// <returns>false when <paramref name="timeout"/> passed first.</returns>
    /// <remarks>May run while another thread disposes the queue: it then throws <see cref="ObjectDisposedException"/>
    /// and never touches the region after it is gone.</remarks>
    public bool RecvSync(out Cqe cqe, TimeSpan timeout)
    {
        long deadline = timeout < TimeSpan.Zero ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        Interlocked.Increment(ref _waiters); // Dispose waits for us before the region goes
        try
        {
            while (!TryRecv(out cqe))
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    return false;
                }

                WaitForCompletion(timeout < TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(Math.Min(100, Math.Max(1, timeout.TotalMilliseconds))));
            }

            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    /// <summary>Blocks until a completion may be ready or <paramref name="maxSleep"/> passes: a bounded spin, then a
    /// futex sleep announced through <c>client_waiting</c> so that the device only makes the wake call when needed.
    /// Safe to call from several threads.</summary>
    public void WaitForCompletion(TimeSpan maxSleep) => WaitForCompletion(maxSleep, SpinBeforeSleep);

    /// <summary>As <see cref="WaitForCompletion(TimeSpan)"/>, polling for <paramref name="spin"/> before sleeping
    /// (callers that know the expected service time poll through it rather than pay a wake-up).</summary>
    public void WaitForCompletion(TimeSpan maxSleep, TimeSpan spin)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            // Checked after announcing ourselves: Dispose sets the flag, then waits for the waiters to leave.
            if (Volatile.Read(ref _disposed) == 0)
            {
                WaitForCompletionCore(maxSleep, spin);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    private void WaitForCompletionCore(TimeSpan maxSleep, TimeSpan spin)
    {
        long spinUntil = Stopwatch.GetTimestamp() + (long)(spin.TotalSeconds * Stopwatch.Frequency);
        for (int round = 1; Stopwatch.GetTimestamp() < spinUntil; round++)
        {
            if (_cq.HasCompletion() || Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            // Hazard: with as many busy threads as cores (the engines, this poller, the thread pool), a pure spin holds
            // a core another runnable thread needs (possibly the one that would submit the engine's next request).
            // Yielding now and then costs one system call when nobody else wants the core.
            if ((round & 63) == 0)
            {
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(10);
            }
        }

        uint snapshot = _cq.WakeSnapshot;
        Interlocked.Increment(ref _region.ClientWaiting);
        try
        {
            // Announce first, then look again: the device posts, fences, then reads client_waiting.
            Interlocked.MemoryBarrier();
            if (!_cq.HasCompletion() && State == QueueState.Started)
            {
                Futex.Wait(_region.CqWakeAddress, snapshot, maxSleep);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _region.ClientWaiting);
        }
    }

    /// <summary>Whether a completion is waiting (a poller serving many queues looks before it sleeps).</summary>
    internal bool HasCompletion => Volatile.Read(ref _disposed) == 0 && _cq.HasCompletion();

    /// <summary>Announces a sleeper on this queue's completion word, for a wait on many queues at once
    /// (<see cref="Futex.WaitAny"/>): on true, <paramref name="waiter"/> is the word to sleep on and
    /// <see cref="EndWait"/> must follow; false when a completion is already there or the queue stopped.</summary>
    internal bool BeginWait(out FutexWaiter waiter)
    {
        waiter = default;
        Interlocked.Increment(ref _waiters); // Dispose keeps the region mapped until EndWait
        if (Volatile.Read(ref _disposed) != 0)
        {
            Interlocked.Decrement(ref _waiters);
            return false;
        }

        uint snapshot = _cq.WakeSnapshot;
        Interlocked.Increment(ref _region.ClientWaiting);
        // Announce first, then look again: the device posts, fences, then reads client_waiting.
        Interlocked.MemoryBarrier();
        if (_cq.HasCompletion() || State != QueueState.Started)
        {
            EndWait();
            return false;
        }

        waiter = FutexWaiter.Create(_region.CqWakeAddress, snapshot);
        return true;
    }

    /// <summary>Ends a wait begun with <see cref="BeginWait"/>.</summary>
    internal void EndWait()
    {
        Interlocked.Decrement(ref _region.ClientWaiting);
        Interlocked.Decrement(ref _waiters);
    }

    /// <summary>Makes [address, address+length) visible to the device (pinned memory the caller keeps alive).</summary>
    /// <returns>A handle for <see cref="Unshare"/>.</returns>
    public int Share(nint address, long length) => _transport.Share(address, length);

    /// <summary>Device-visible memory from this queue's provider (the broker that owns the device, or this process's
    /// in-process domain).</summary>
    internal WdSharedMemory ReserveMemory(int length) => _transport.ReserveMemory(length);

    /// <summary>Withdraws a range shared with <see cref="Share"/>.</summary>
    public void Unshare(int handle) => _transport.Unshare(handle);

    /// <summary>Releases the queue: the device frees its stream contexts and the queue becomes available again.
    /// Threads asleep in <see cref="WaitForCompletion(TimeSpan)"/> are woken and return first.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SpinWait spin = default;
            while (Volatile.Read(ref _waiters) != 0)
            {
                Futex.Wake(_region.CqWakeAddress); // still mapped: only the transport unmaps it
                spin.SpinOnce();
            }

            _transport.Dispose();
        }
    }
}
