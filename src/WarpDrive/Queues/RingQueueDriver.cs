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
    /// <returns>null with <paramref name="error"/> when the region is not a valid ring.</returns>
    public static RingQueueDriver? TryOpen(nint address, int size, out string? error)
    {
        error = QueueRegion.TryOpen(address, size, out QueueRegion region);
        return error is null ? new RingQueueDriver(region) : null;
    }

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

    public override void Sleep(TimeSpan maxSleep)
    {
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

    public override bool HasWakeWord => true;

    public override bool BeginWait(out FutexWaiter waiter)
    {
        waiter = default;
        uint snapshot = _cq.WakeSnapshot;
        Interlocked.Increment(ref _region.ClientWaiting);
        // Announce first, then look again: the device posts, fences, then reads client_waiting.
        Interlocked.MemoryBarrier();
        if (_cq.HasCompletion() || State != QueueState.Started)
        {
            Interlocked.Decrement(ref _region.ClientWaiting);
            return false;
        }

        waiter = FutexWaiter.Create(_region.CqWakeAddress, snapshot);
        return true;
    }

    public override void EndWait() => Interlocked.Decrement(ref _region.ClientWaiting);

    public override void WakeSleepers() => Futex.Wake(_region.CqWakeAddress); // still mapped: only the transport unmaps it

    public override void Dispose()
    {
        // The ring region belongs to the transport.
    }
}
