using System.Runtime.CompilerServices;

namespace WarpDrive.Abi;

/// <summary>The device's end of the SQ. The head lives here, in device-private memory: the shared copy is
/// written for the producer's flow control and never read back, so a client cannot move it.</summary>
public sealed unsafe class SubmissionConsumer
{
    private readonly QueueRegion _region;
    private readonly ulong _depth;
    private ulong _head;

    /// <summary>Creates the consumer over a freshly formatted region.</summary>
    public SubmissionConsumer(QueueRegion region)
    {
        _region = region;
        _depth = (ulong)region.Depth;
    }

    /// <summary>Ring position of the next submission to consume.</summary>
    public ulong Head => _head;

    /// <summary>SQEs the producer has published and flushed (its <c>sq_tail</c>) that the consumer has not taken yet,
    /// clamped to [0, depth]: the tail is the client's word, untrusted, and only informative here.</summary>
    public uint Pending()
    {
        ulong tail = MemoryOrder.LoadAcquire(ref _region.SqTail);
        return tail > _head ? (uint)Math.Min(tail - _head, _depth) : 0u;
    }

    /// <summary>Whether a published SQE waits at the head.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasWork() => MemoryOrder.LoadAcquire(ref _region.SqSlot(_head)->Seq) == unchecked((uint)(_head + 1));

    /// <summary>Whether the slot at the head holds a sequence word the protocol cannot produce: neither the one of
    /// the entry expected next nor the one left from the previous lap (0 on the first). Only a client that writes
    /// the ring by hand gets here.</summary>
    public bool HasInvalidSlot()
    {
        uint seq = MemoryOrder.LoadAcquire(ref _region.SqSlot(_head)->Seq);
        uint previous = _head < _depth ? 0u : unchecked((uint)(_head + 1 - _depth));
        return seq != unchecked((uint)(_head + 1)) && seq != previous;
    }

    /// <summary>Copies the SQE at the head out of shared memory and advances. The copy is what gets validated
    /// and executed: the client can no longer change it (no time-of-check/time-of-use gap).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryConsume(out Sqe sqe)
    {
        Sqe* slot = _region.SqSlot(_head);
        // Acquire: the body copied below is the one the producer wrote before it released this sequence word.
        if (MemoryOrder.LoadAcquire(ref slot->Seq) != unchecked((uint)(_head + 1)))
        {
            sqe = default;
            return false;
        }

        sqe = *slot;
        _head++;
        // Release: the slot is copied out before the producer can see it free and overwrite it.
        MemoryOrder.StoreRelease(ref _region.SqHead, _head);
        return true;
    }
}
