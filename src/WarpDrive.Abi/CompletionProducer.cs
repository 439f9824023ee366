using System.Runtime.CompilerServices;

namespace WarpDrive.Abi;

/// <summary>The device's end of the CQ. The tail is device-private; the client's <c>cq_head</c> is read as
/// untrusted input: a value that cannot be right makes the ring look full, which stalls only that queue.</summary>
public sealed unsafe class CompletionProducer
{
    private readonly QueueRegion _region;
    private readonly ulong _depth;
    private ulong _tail;
    private ulong _cachedHead;

    /// <summary>Creates the producer over a freshly formatted region.</summary>
    public CompletionProducer(QueueRegion region)
    {
        _region = region;
        _depth = (ulong)region.Depth;
    }

    /// <summary>Set once <see cref="HasSpace"/> has read a <c>cq_head</c> the protocol cannot produce (behind the
    /// oldest unconsumed completion or ahead of the tail): the client broke the ring.</summary>
    public bool ClientHeadInvalid { get; private set; }

    /// <summary>Ring position of the next completion.</summary>
    public ulong Tail => _tail;

    /// <summary>Whether a completion can be posted now.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasSpace()
    {
        if (_tail - _cachedHead < _depth)
        {
            return true;
        }

        ulong head = MemoryOrder.LoadAcquire(ref _region.CqHead);
        if (head > _tail || _tail - head > _depth)
        {
            ClientHeadInvalid = true;
            return false; // impossible value from the client: treat as full
        }

        _cachedHead = head;
        return _tail - head < _depth;
    }

    /// <summary>Posts a completion. Call only after <see cref="HasSpace"/> returned true.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Post(in Cqe cqe)
    {
        Cqe* slot = _region.CqSlot(_tail);
        // Everything but the sequence word (see SubmissionProducer.TryPublish).
        Unsafe.CopyBlockUnaligned(ref *(byte*)slot, ref Unsafe.As<Cqe, byte>(ref Unsafe.AsRef(in cqe)), Cqe.SeqOffset);
        // Publication: the sequence word is stored last, with release semantics.
        MemoryOrder.StoreRelease(ref slot->Seq, unchecked((uint)(_tail + 1)));
        _tail++;
    }

    /// <summary>Ends a batch of completions; returns true when a client thread may sleep and must be woken
    /// (the wake counter has been advanced; the caller does the futex wake).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool PublishAndCheckWaiter()
    {
        MemoryOrder.StoreRelease(ref _region.CqTail, _tail);
        // Full fence: the completions must be visible before we read the waiter flag (the client sets the flag,
        // fences, then re-checks the ring: Dekker-style).
        MemoryOrder.FullFence();
        if (MemoryOrder.LoadAcquire(ref _region.ClientWaiting) == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _region.CqWake);
        return true;
    }
}
