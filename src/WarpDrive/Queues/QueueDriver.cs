using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.Queues;

/// <summary>The code that speaks one device <c>api</c> (UADK's driver): it turns libwd's requests (<see cref="Sqe"/>)
/// into the device's own descriptors, rings its doorbell, and turns the device's completions back into
/// <see cref="Cqe"/>s. <see cref="WdQueue"/> holds one; <c>wd_ring_v1</c> devices (in-process and the broker's) use
/// <see cref="RingQueueDriver"/>, HiSilicon ZIP queues of the kernel <c>HisiZipDriver</c>, SEC queues <c>HisiSecDriver</c>.</summary>
/// <remarks>As <see cref="WdQueue"/>: one thread submits and one thread reaps at a time.</remarks>
internal abstract class QueueDriver : IDisposable
{
    /// <summary>The queue's id within its device.</summary>
    public abstract uint QueueId { get; }

    /// <summary>The most requests in flight.</summary>
    public abstract int Depth { get; }

    /// <summary>Stream contexts this queue offers (<see cref="Sqe.StreamId"/> below it).</summary>
    public abstract int MaxStreams { get; }

    /// <summary>What the device says of the queue (its status word).</summary>
    public abstract QueueState State { get; }

    /// <summary>Why the device disabled the queue.</summary>
    public abstract QueueDisableReason DisableReason { get; }

    /// <summary>Error completions the queue has produced.</summary>
    public abstract uint ErrorCount { get; }

    /// <summary>Hands one request to the device (visible to it at the next <see cref="Flush"/> at the latest).</summary>
    /// <returns>false when the queue is full.</returns>
    public abstract bool TryPublish(in Sqe sqe);

    /// <summary>Rings the doorbell for what <see cref="TryPublish"/> queued.</summary>
    public abstract void Flush();

    /// <summary>The queue refused the doorbell (it is disabled): forget what <see cref="TryPublish"/> answered without
    /// the device since the last <see cref="Flush"/> (the caller takes those requests back).</summary>
    public virtual void DiscardUnflushed()
    {
    }

    /// <summary>Takes the next completion, if one is ready.</summary>
    public abstract bool TryConsume(out Cqe cqe);

    /// <summary>Whether a completion is waiting.</summary>
    public abstract bool HasCompletion();

    /// <summary>Sleeps until a completion may be ready, at most <paramref name="maxSleep"/> (the caller has polled
    /// already): for a queue without a wake word (<see cref="HasWakeWord"/>); the others are slept on through
    /// <see cref="BeginWait"/> and <see cref="EndWait"/>.</summary>
    public virtual void Sleep(TimeSpan maxSleep) => throw new NotSupportedException("the queue is slept on through its wake word");

    /// <summary>Whether the queue has a futex word that a wait on many queues can join (<see cref="BeginWait"/>).</summary>
    public virtual bool HasWakeWord => false;

    /// <summary>Announces a sleeper on the completion word; false when a completion is already there or the queue stopped.</summary>
    public virtual bool BeginWait(out FutexWaiter waiter) => throw new NotSupportedException("the queue has no wake word");

    /// <summary>Ends a wait begun with <see cref="BeginWait"/> on <paramref name="waiter"/>. With <paramref name="check"/>,
    /// it first looks for completions that arrived while the sleeper was announced and yet did not move the word: the
    /// device moves it after every completion it posts while someone waits, so once a grace period has let a device
    /// that is between the two finish, such completions are lost wake-ups that only a timeout found.</summary>
    /// <returns>How many completions were found that way (0 without <paramref name="check"/>).</returns>
    public virtual int EndWait(in FutexWaiter waiter, bool check) => throw new NotSupportedException("the queue has no wake word");

    /// <summary>Wakes threads asleep in <see cref="Sleep"/> (the queue is being released).</summary>
    public abstract void WakeSleepers();

    /// <summary>Frees what the driver holds, once the transport has released the queue (the device has left it).</summary>
    public abstract void Dispose();
}
