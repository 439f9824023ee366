using System.Diagnostics;
using System.Runtime.CompilerServices;
using WarpDrive.Abi;
using WarpDrive.Diagnostics;
using WarpDrive.Discovery;
using WarpDrive.Platform;
using WarpDrive.Queues;

namespace WarpDrive;

/// <summary>One queue on a device (libwd's context), through the driver for the device's <c>api</c>: <c>wd_ring_v1</c>
/// (in-process and broker devices) or a kernel uacce device's own (HiSilicon ZIP). Write SQEs with
/// <see cref="TrySend"/> (many, then one <see cref="Flush"/>: one doorbell), read CQEs with
/// <see cref="TryReceive(out Cqe)"/> (poll) or <see cref="TryReceive(out Cqe, TimeSpan)"/> (wait).</summary>
/// <remarks>Not thread-safe: one thread submits and one thread reaps at a time (they may differ).
/// The algorithm libraries serialise their own use.</remarks>
public sealed class WdQueue : IDisposable
{
    private readonly QueueTransport _transport;
    private readonly QueueDriver _driver;
    private int _disposed;
    private bool _lost; // the broker went away without a word: nothing serves the queue
    private int _waiters; // threads inside TryReceive(timeout) or WaitForCompletion: Dispose unmaps the region only when none is left

    internal WdQueue(QueueTransport transport)
    {
        _transport = transport;
        try
        {
            _driver = transport.CreateDriver();
        }
        catch
        {
            transport.Dispose();
            throw;
        }
    }

    /// <summary>Whether requests must share their buffers with the device (<see cref="QueueTransport.NeedsShares"/>).</summary>
    public bool NeedsShares => _transport.NeedsShares;

    /// <summary>Whether the device reads this process's memory in place (<see cref="QueueTransport.ReadsClientMemoryDirectly"/>).</summary>
    internal bool ReadsClientMemoryDirectly => _transport.ReadsClientMemoryDirectly;

    /// <summary>The device this queue belongs to.</summary>
    public WdDeviceInfo Device => _transport.Device;

    /// <summary>The queue's id within its device.</summary>
    public uint QueueId => _driver.QueueId;

    /// <summary>Ring depth: the most requests in flight.</summary>
    public int Depth => _driver.Depth;

    /// <summary>Device stream contexts this queue may use (<c>StreamId</c> below this).</summary>
    public int MaxStreams => _driver.MaxStreams;

    /// <summary>The status word; <see cref="QueueState.Released"/> once this queue is disposed (a broker queue's region
    /// is unmapped then, so the word is not read).</summary>
    public QueueState State => Volatile.Read(ref _disposed) != 0 ? QueueState.Released
        : Volatile.Read(ref _lost) || _transport.IsGone ? QueueState.Disabled
        : _driver.State;

    /// <summary>Why the device disabled the queue (meaningful once <see cref="State"/> is Disabled).</summary>
    public QueueDisableReason DisableReason =>
        Volatile.Read(ref _disposed) != 0 ? QueueDisableReason.None
        : Volatile.Read(ref _lost) || _transport.IsGone ? QueueDisableReason.BrokerLost
        : _driver.DisableReason;

    /// <summary>Asks the transport whether the device's owner is still there (one system call on a broker queue); once
    /// it is gone, <see cref="State"/> reads Disabled with <see cref="QueueDisableReason.BrokerLost"/>.</summary>
    internal void CheckAlive()
    {
        if (!Volatile.Read(ref _lost) && Volatile.Read(ref _disposed) == 0 && _transport.IsLost)
        {
            Volatile.Write(ref _lost, true);
        }
    }

    /// <summary>The ring region itself (<c>wd_ring_v1</c> queues), for tests that play a hostile client writing straight into it.</summary>
    internal QueueRegion Region => ((RingQueueDriver)_driver).Region;

    /// <summary>The driver (tests).</summary>
    internal QueueDriver Driver => _driver;

    /// <summary>Error completions this queue has produced.</summary>
    public uint ErrorCount => Volatile.Read(ref _disposed) != 0 ? 0 : _driver.ErrorCount;

    /// <summary>How long <see cref="TryReceive(out Cqe, TimeSpan)"/> polls before it sleeps.</summary>
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

        return _driver.TryPublish(in sqe);
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
            _driver.DiscardUnflushed();
            ThrowHelper.QueueDisabled(state, DisableReason);
        }

        _driver.Flush();
    }

    /// <summary>Whether this queue's device has no workers (Mix mode's inline device): whoever submits serves
    /// it with <see cref="ServeInline"/>.</summary>
    internal bool IsInline => _transport.ServesInline;

    /// <summary>Runs the requests waiting in an inline queue on the calling thread.</summary>
    internal void ServeInline()
    {
        ThrowIfDisposed();
        _transport.ServeInline();
    }

    /// <summary>Takes the next completion, if one is ready (never waits).</summary>
    /// <param name="cqe">The completion.</param>
    /// <returns>false when no completion is ready.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReceive(out Cqe cqe)
    {
        ThrowIfDisposed();
        return _driver.TryConsume(out cqe);
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
    /// futex until the device posts one (as <see cref="System.Collections.Concurrent.BlockingCollection{T}.TryTake(out T, TimeSpan)"/>).</summary>
    /// <param name="cqe">The completion.</param>
    /// <param name="timeout">How long to wait; a negative value (<see cref="Timeout.InfiniteTimeSpan"/>) waits without
    /// limit.</param>
    /// <returns>false when <paramref name="timeout"/> passed first.</returns>
    /// <remarks>May run while another thread disposes the queue: it then throws <see cref="ObjectDisposedException"/>
    /// and never touches the region after it is gone.</remarks>
    public bool TryReceive(out Cqe cqe, TimeSpan timeout)
    {
        long deadline = timeout < TimeSpan.Zero ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        Interlocked.Increment(ref _waiters); // Dispose waits for us before the region goes
        try
        {
            while (!TryReceive(out cqe))
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
            if (_driver.HasCompletion() || Volatile.Read(ref _disposed) != 0)
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

        if (State != QueueState.Started)
        {
            return;
        }

        if (!_driver.HasWakeWord)
        {
            _driver.Sleep(maxSleep);
        }
        else if (_driver.BeginWait(out FutexWaiter waiter))
        {
            Futex.Wait((nint)waiter.Address, (uint)waiter.Value, maxSleep);
            EndWaitCore(in waiter);
        }
    }

    /// <summary>Whether a completion is waiting (a poller serving many queues looks before it sleeps).</summary>
    internal bool HasCompletion => Volatile.Read(ref _disposed) == 0 && _driver.HasCompletion();

    /// <summary>Whether a wait on many queues at once can include this one (<see cref="BeginWait"/>); a queue without a
    /// futex word (a kernel queue, whose completions are signalled through <c>poll()</c>) cannot.</summary>
    internal bool HasWakeWord => _driver.HasWakeWord;

    /// <summary>Announces a sleeper on this queue's completion word, for a wait on many queues at once
    /// (<see cref="Futex.TryWaitAny"/>): on true, <paramref name="waiter"/> is the word to sleep on and
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

        if (State != QueueState.Started || !_driver.BeginWait(out waiter))
        {
            Interlocked.Decrement(ref _waiters);
            return false;
        }

        return true;
    }

    /// <summary>Ends a wait begun with <see cref="BeginWait"/> on <paramref name="waiter"/>.</summary>
    /// <returns>Late completions: there after the sleep although no wake-up announced them (counted on the meter).</returns>
    internal int EndWait(in FutexWaiter waiter)
    {
        try
        {
            return EndWaitCore(in waiter);
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    /// <summary>Withdraws the announcement of <paramref name="waiter"/>, first counting the completions a lost wake-up
    /// left behind (<see cref="WdMetrics.LateReapsName"/>), unless the queue is being released (nothing is late there:
    /// the release wakes its sleepers and moves the word).</summary>
    private int EndWaitCore(in FutexWaiter waiter)
    {
        int late = _driver.EndWait(in waiter, check: Volatile.Read(ref _disposed) == 0);
        if (late > 0)
        {
            WdMetrics.CountLateReaps(Device, late);
        }

        return late;
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
                _driver.WakeSleepers();
                spin.SpinOnce();
            }

            // The transport releases the queue and returns once the device has left it; only then may the driver free
            // what the device reads (a kernel queue's SGLs and stream contexts).
            _transport.Dispose();
            _driver.Dispose();
        }
    }
}
