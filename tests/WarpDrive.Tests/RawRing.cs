using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.Tests;

/// <summary>A client of one queue that speaks the ring protocol itself (docs/QUEUE-ABI.md), with nothing of libwd
/// between it and the device: what it sees is what any client sees.</summary>
internal sealed class RawRing
{
    private readonly SubmissionProducer _producer;
    private readonly CompletionConsumer _consumer;

    public RawRing(nint regionBase, int regionSize)
    {
        Assert.True(QueueRegion.TryOpen(regionBase, regionSize, out QueueRegion region, out string? error), error);
        Region = region;
        _producer = new SubmissionProducer(region);
        _consumer = new CompletionConsumer(region);
    }

    public QueueRegion Region { get; }

    /// <summary>The status word as the client reads it.</summary>
    public QueueState State => (QueueState)Volatile.Read(ref Region.State);

    public QueueDisableReason DisableReason => (QueueDisableReason)Volatile.Read(ref Region.DisableReason);

    /// <summary>Publishes <paramref name="sqes"/> as one batch and rings the doorbell if the engine sleeps.</summary>
    public void Submit(params Sqe[] sqes)
    {
        foreach (Sqe sqe in sqes)
        {
            Assert.True(_producer.TryPublish(in sqe));
        }

        if (_producer.RingDoorbellIfWaiting())
        {
            Futex.Wake(Region.DoorbellAddress);
        }
    }

    /// <summary>The next completion, or false when none comes within <paramref name="timeout"/>.</summary>
    public bool TryNext(out Cqe cqe, TimeSpan timeout)
    {
        if (!SpinWait.SpinUntil(_consumer.HasCompletion, timeout))
        {
            cqe = default;
            return false;
        }

        Assert.True(_consumer.TryConsume(out cqe));
        return true;
    }

    /// <summary>The next completion; fails the test when none comes within 10 s.</summary>
    public Cqe Next()
    {
        Assert.True(TryNext(out Cqe cqe, TimeSpan.FromSeconds(10)), "no completion within 10 s");
        return cqe;
    }

    /// <summary>Submits <paramref name="sqe"/> alone and returns its completion.</summary>
    public Cqe Exchange(in Sqe sqe)
    {
        Submit(sqe);
        Cqe cqe = Next();
        Assert.Equal(sqe.UserData, cqe.UserData);
        return cqe;
    }
}
