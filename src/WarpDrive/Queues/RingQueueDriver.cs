using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.Queues;

/// <summary>The driver for <c>wd_ring_v1</c> (docs/QUEUE-ABI.md): libwd's SQEs and CQEs are the ring's own, the
/// doorbell and the completion word are futex words in the ring region.</summary>
internal sealed class RingQueueDriver : QueueDriver
{
    private readonly QueueRegion _region;
    private readonly SubmissionProducer _sq;
    private readonly CompletionConsumer _cq;

    private RingQueueDriver(QueueRegion region)
    {
        _region = region;
        _sq = new SubmissionProducer(region);
        _cq = new CompletionConsumer(region);
    }

    /// <summary>Opens the ring mapped at [<paramref name="address"/>, +<paramref name="size"/>).</summary>
    /// <returns>false, with <paramref name="error"/> saying why, when the region is not a valid ring.</returns>
    public static bool TryOpen(nint address, int size, [NotNullWhen(true)] out RingQueueDriver? driver, [NotNullWhen(false)] out string? error)
    {
        bool valid = QueueRegion.TryOpen(address, size, out QueueRegion region, out error);
        driver = valid ? new RingQueueDriver(region) : null;
        return valid;
    }

    /// <summary>How long a sleeper that finds a completion the wake word did not announce gives the device to finish
    /// announcing it (it posts, then moves the word): long enough for a worker preempted in between (100 ms).</summary>
    public TimeSpan WakeGrace { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The ring region itself.</summary>
    public QueueRegion Region => _region;

    public override uint QueueId => _region.QueueId;

    public override int Depth => _region.Depth;

    public override int MaxStreams => (int)_region.MaxStreams;

    public override QueueState State => (QueueState)Volatile.Read(ref _region.State);

    public override QueueDisableReason DisableReason => (QueueDisableReason)Volatile.Read(ref _region.DisableReason);

    public override uint ErrorCount => Volatile.Read(ref _region.ErrorCount);

    public override bool TryPublish(in Sqe sqe) => _sq.TryPublish(in sqe);

    public override void Flush()
    {
        if (_sq.RingDoorbellIfWaiting())
        {
            // The doorbell is a futex word in the shared region: the engine sleeps on it, in this process or another.
            Futex.Wake(_region.DoorbellAddress);
        }
    }

    public override bool TryConsume(out Cqe cqe) => _cq.TryConsume(out cqe);

    public override bool HasCompletion() => _cq.HasCompletion();

    public override bool HasWakeWord => true;

    public override bool BeginWait(out FutexWaiter waiter)
    {
        waiter = default;
        uint snapshot = _cq.WakeSnapshot;
        Interlocked.Increment(ref _region.ClientWaiting);
        // Announce first, then look again: the device posts, fences, then reads client_waiting.
        MemoryOrder.FullFence();
        if (_cq.HasCompletion() || State != QueueState.Started)
        {
            Interlocked.Decrement(ref _region.ClientWaiting);
            return false;
        }

        waiter = FutexWaiter.Create(_region.CqWakeAddress, snapshot);
        return true;
    }

    public override int EndWait(in FutexWaiter waiter, bool check)
    {
        try
        {
            // Still announced here, so every completion posted since BeginWait's look must move the word.
            return check ? LateCompletions((uint)waiter.Value) : 0;
        }
        finally
        {
            Interlocked.Decrement(ref _region.ClientWaiting);
        }
    }

    /// <summary>Completions in the ring while the wake word still holds <paramref name="snapshot"/>, the value it had
    /// when the sleeper announced itself and found the ring empty: none unless a wake-up was lost, once the device has
    /// had <see cref="WakeGrace"/> to finish a wake-up it is in the middle of (posted, not yet moved the word).</summary>
    private int LateCompletions(uint snapshot)
    {
        if (MemoryOrder.LoadAcquire(ref _region.CqWake) != snapshot || !_cq.HasCompletion())
        {
            return 0;
        }

        long until = Stopwatch.GetTimestamp() + (long)(WakeGrace.TotalSeconds * Stopwatch.Frequency);
        while (MemoryOrder.LoadAcquire(ref _region.CqWake) == snapshot)
        {
            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), until);
            if (left <= TimeSpan.Zero)
            {
                return Math.Max(1, _cq.Ready(_region.Depth));
            }

            Futex.Wait(_region.CqWakeAddress, snapshot, left);
        }

        return 0;
    }

    public override void WakeSleepers()
    {
        // The word moves too, as when the device disables the queue: a sleeper in its grace period stops waiting for the
        // device at once. Still mapped: only the transport unmaps it.
        Interlocked.Increment(ref _region.CqWake);
        Futex.Wake(_region.CqWakeAddress);
    }

    public override void Dispose()
    {
        // The ring region belongs to the transport.
    }
}
