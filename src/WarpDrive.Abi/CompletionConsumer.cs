using System.Runtime.CompilerServices;

namespace WarpDrive.Abi;

/// <summary>The client's end of the CQ. Not thread-safe: one reaper at a time (the driver serialises).</summary>
public sealed unsafe class CompletionConsumer
{
    private readonly QueueRegion _region;
    private ulong _head;

    /// <summary>Creates the consumer over a region opened by the driver.</summary>
    public CompletionConsumer(QueueRegion region)
    {
        _region = region;
        _head = MemoryOrder.LoadAcquire(ref region.CqHead);
    }

    /// <summary>Ring position of the next completion to read.</summary>
    public ulong Head => _head;

    /// <summary>Whether a completion waits at the head.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool HasCompletion() => MemoryOrder.LoadAcquire(ref _region.CqSlot(_head)->Seq) == unchecked((uint)(_head + 1));

    /// <summary>How many completions wait from the head on (at most <paramref name="max"/>), without taking any.</summary>
    public int Ready(int max)
    {
        int n = 0;
        while (n < max && MemoryOrder.LoadAcquire(ref _region.CqSlot(_head + (ulong)n)->Seq) == unchecked((uint)(_head + (ulong)n + 1)))
        {
            n++;
        }

        return n;
    }

    /// <summary>Reads the completion at the head, if any, and frees its slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryConsume(out Cqe cqe)
    {
        Cqe* slot = _region.CqSlot(_head);
        // Acquire: the body copied below is the one the producer wrote before it released this sequence word.
        if (MemoryOrder.LoadAcquire(ref slot->Seq) != unchecked((uint)(_head + 1)))
        {
            cqe = default;
            return false;
        }

        cqe = *slot;
        _head++;
        // Release: the slot is copied out before the producer can see it free and overwrite it.
        MemoryOrder.StoreRelease(ref _region.CqHead, _head);
        return true;
    }

    /// <summary>The value of the wake counter to pass to a futex wait. Read it, set <c>ClientWaiting</c>,
    /// re-check <see cref="HasCompletion"/>, then sleep on it.</summary>
    public uint WakeSnapshot => MemoryOrder.LoadAcquire(ref _region.CqWake);
}
