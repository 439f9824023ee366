using System.Runtime.CompilerServices;

namespace WarpDrive.Abi;

/// <summary>The client's end of the SQ. Not thread-safe: one producer at a time (the driver serialises).</summary>
public sealed unsafe class SubmissionProducer
{
    private readonly QueueRegion _region;
    private readonly ulong _depth;
    private ulong _tail;
    private ulong _cachedHead;

    /// <summary>Creates the producer over a region opened by the driver.</summary>
    public SubmissionProducer(QueueRegion region)
    {
        _region = region;
        _depth = (ulong)region.Depth;
        _tail = MemoryOrder.LoadAcquire(ref region.SqTail);
        _cachedHead = MemoryOrder.LoadAcquire(ref region.SqHead);
    }

    /// <summary>Ring position of the next submission.</summary>
    public ulong Tail => _tail;

    /// <summary>Writes <paramref name="sqe"/> into the next slot and publishes it (per-slot sequence).
    /// The device may see it at once if it polls; call <see cref="RingDoorbellIfWaiting"/> after a batch.</summary>
    /// <returns>false when the SQ is full.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryPublish(in Sqe sqe)
    {
        if (_tail - _cachedHead >= _depth)
        {
            _cachedHead = MemoryOrder.LoadAcquire(ref _region.SqHead);
            if (_tail - _cachedHead >= _depth)
            {
                return false;
            }
        }

        Sqe* slot = _region.SqSlot(_tail);
        // Everything but the sequence word: a whole-struct copy could store a stale Seq that happens to equal the
        // expected one (position 2^32-1 expects 0) before the body, and publish half an entry.
        Unsafe.CopyBlockUnaligned(ref *(byte*)slot, ref Unsafe.As<Sqe, byte>(ref Unsafe.AsRef(in sqe)), Sqe.SeqOffset);
        // Publication: the sequence word is stored last, with release semantics.
        MemoryOrder.StoreRelease(ref slot->Seq, unchecked((uint)(_tail + 1)));
        _tail++;
        return true;
    }

    /// <summary>Ends a batch: records the tail and reports whether the device engine may be asleep,
    /// in which case the caller must wake it (one doorbell for many SQEs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool RingDoorbellIfWaiting()
    {
        MemoryOrder.StoreRelease(ref _region.SqTail, _tail);
        // Full fence: the SQE publication must be visible before we read the waiter flag
        // (the engine sets the flag, fences, then re-checks the ring: Dekker-style).
        MemoryOrder.FullFence();
        if (MemoryOrder.LoadAcquire(ref _region.DeviceWaiting) == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _region.Doorbell);
        return true;
    }
}
