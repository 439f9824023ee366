using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace WarpDrive.Abi;

/// <summary>A view of one queue region in memory mapped by this process. It knows the layout and nothing else:
/// the ring protocols live in <see cref="SubmissionProducer"/>, <see cref="SubmissionConsumer"/>,
/// <see cref="CompletionProducer"/> and <see cref="CompletionConsumer"/>.</summary>
/// <remarks>The view does not own the memory. Whoever maps the region keeps it alive while any view is in use.</remarks>
public readonly unsafe struct QueueRegion
{
    private readonly byte* _base;

    private QueueRegion(byte* regionBase, int depth, int size)
    {
        _base = regionBase;
        Depth = depth;
        Size = size;
    }

    /// <summary>Ring depth (entries in the SQ and in the CQ).</summary>
    public int Depth { get; }

    /// <summary>Region size in bytes.</summary>
    public int Size { get; }

    /// <summary>Base address of the region.</summary>
    public nint Base => (nint)_base;

    /// <summary>Queue id written in the header.</summary>
    public uint QueueId => *(uint*)(_base + RingLayout.HeaderOffset + RingLayout.QueueIdField);

    /// <summary>Number of device stream contexts the queue may use.</summary>
    public uint MaxStreams => *(uint*)(_base + RingLayout.HeaderOffset + RingLayout.MaxStreamsField);

    /// <summary>Lays out a fresh region (device side): zeroes it and writes the header.</summary>
    /// <param name="regionBase">Start of at least <see cref="RingLayout.RegionSize"/> bytes.</param>
    /// <param name="depth">Ring depth; see <see cref="RingLayout.IsValidDepth"/>.</param>
    /// <param name="queueId">Queue id within the device.</param>
    /// <param name="maxStreams">Stream contexts the queue may use.</param>
    public static QueueRegion Format(nint regionBase, int depth, uint queueId, uint maxStreams)
    {
        if (!RingLayout.IsValidDepth(depth))
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "ring depth must be a power of two in [2, 4096]");
        }

        int size = RingLayout.RegionSize(depth);
        byte* b = (byte*)regionBase;
        new Span<byte>(b, size).Clear();
        byte* h = b + RingLayout.HeaderOffset;
        *(ushort*)(h + RingLayout.VersionField) = RingLayout.Version;
        *(ushort*)(h + RingLayout.SqeSizeField) = Sqe.Size;
        *(ushort*)(h + RingLayout.CqeSizeField) = Cqe.Size;
        *(uint*)(h + RingLayout.DepthField) = (uint)depth;
        *(uint*)(h + RingLayout.SqOffsetField) = RingLayout.SqOffset;
        *(uint*)(h + RingLayout.CqOffsetField) = (uint)RingLayout.CqOffset(depth);
        *(uint*)(h + RingLayout.RegionSizeField) = (uint)size;
        *(uint*)(h + RingLayout.QueueIdField) = queueId;
        *(uint*)(h + RingLayout.MaxStreamsField) = maxStreams;
        // The magic goes last: a reader that sees it sees a complete header.
        Volatile.Write(ref *(uint*)(h + RingLayout.MagicField), RingLayout.Magic);
        return new QueueRegion(b, depth, size);
    }

    /// <summary>Opens a region that the device side laid out (driver side), checking the header against
    /// the size actually mapped.</summary>
    /// <param name="regionBase">Where the region is mapped.</param>
    /// <param name="mappedSize">How many bytes are mapped there.</param>
    /// <param name="region">The view of the region when it can be used.</param>
    /// <param name="error">Why the region cannot be used (null when it can).</param>
    /// <returns>true when the region can be used; false when its header is not a usable wd_ring_v1 header.</returns>
    public static bool TryOpen(nint regionBase, int mappedSize, out QueueRegion region, [NotNullWhen(false)] out string? error)
    {
        error = Check(regionBase, mappedSize, out region);
        return error is null;
    }

    /// <summary>The checks of <see cref="TryOpen"/>: null when the region can be used, else why not.</summary>
    private static string? Check(nint regionBase, int mappedSize, out QueueRegion region)
    {
        region = default;
        byte* h = (byte*)regionBase + RingLayout.HeaderOffset;
        if (mappedSize < RingLayout.SqOffset)
        {
            return "region smaller than the ring header";
        }

        if (Volatile.Read(ref *(uint*)(h + RingLayout.MagicField)) != RingLayout.Magic)
        {
            return "bad magic: not a wd_ring_v1 region";
        }

        if (*(ushort*)(h + RingLayout.VersionField) != RingLayout.Version)
        {
            return $"unsupported layout version {*(ushort*)(h + RingLayout.VersionField)}";
        }

        int depth = (int)*(uint*)(h + RingLayout.DepthField);
        if (!RingLayout.IsValidDepth(depth)
            || *(ushort*)(h + RingLayout.SqeSizeField) != Sqe.Size
            || *(ushort*)(h + RingLayout.CqeSizeField) != Cqe.Size
            || *(uint*)(h + RingLayout.SqOffsetField) != RingLayout.SqOffset
            || *(uint*)(h + RingLayout.CqOffsetField) != (uint)RingLayout.CqOffset(depth)
            || *(uint*)(h + RingLayout.RegionSizeField) != (uint)RingLayout.RegionSize(depth)
            || RingLayout.RegionSize(depth) > mappedSize)
        {
            return "inconsistent ring geometry in header";
        }

        region = new QueueRegion((byte*)regionBase, depth, RingLayout.RegionSize(depth));
        return null;
    }

    /// <summary>The status word.</summary>
    public ref uint State => ref *(uint*)(_base + RingLayout.ControlOffset + RingLayout.StateField);

    /// <summary>Why the queue was disabled.</summary>
    public ref uint DisableReason => ref *(uint*)(_base + RingLayout.ControlOffset + RingLayout.DisableReasonField);

    /// <summary>Error completions produced so far.</summary>
    public ref uint ErrorCount => ref *(uint*)(_base + RingLayout.ControlOffset + RingLayout.ErrorCountField);

    /// <summary>Published submissions (client-written, informational).</summary>
    public ref ulong SqTail => ref *(ulong*)(_base + RingLayout.SqProducerOffset);

    /// <summary>Doorbell counter (client-written); a futex word for devices that sleep per queue.</summary>
    public ref uint Doorbell => ref *(uint*)(_base + RingLayout.SqProducerOffset + 8);

    /// <summary>Consumed submissions (device-written).</summary>
    public ref ulong SqHead => ref *(ulong*)(_base + RingLayout.SqConsumerOffset);

    /// <summary>Non-zero while the device engine may sleep: the producer must ring the doorbell.</summary>
    public ref uint DeviceWaiting => ref *(uint*)(_base + RingLayout.SqConsumerOffset + 8);

    /// <summary>Posted completions (device-written).</summary>
    public ref ulong CqTail => ref *(ulong*)(_base + RingLayout.CqProducerOffset);

    /// <summary>Completion wake counter (device-written), the futex word a waiting client sleeps on.</summary>
    public ref uint CqWake => ref *(uint*)(_base + RingLayout.CqProducerOffset + 8);

    /// <summary>Consumed completions (client-written).</summary>
    public ref ulong CqHead => ref *(ulong*)(_base + RingLayout.CqConsumerOffset);

    /// <summary>Non-zero while a client thread may sleep on <see cref="CqWake"/>.</summary>
    public ref uint ClientWaiting => ref *(uint*)(_base + RingLayout.CqConsumerOffset + 8);

    /// <summary>Address of <see cref="CqWake"/>, for futex calls.</summary>
    public nint CqWakeAddress => (nint)(_base + RingLayout.CqProducerOffset + 8);

    /// <summary>Address of <see cref="Doorbell"/>, for futex calls.</summary>
    public nint DoorbellAddress => (nint)(_base + RingLayout.SqProducerOffset + 8);

    /// <summary>The submission slot for a ring position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Sqe* SqSlot(ulong position) => (Sqe*)(_base + RingLayout.SqOffset) + (int)(position & (uint)(Depth - 1));

    /// <summary>The completion slot for a ring position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Cqe* CqSlot(ulong position) =>
        (Cqe*)(_base + RingLayout.SqOffset + (Depth * Sqe.Size)) + (int)(position & (uint)(Depth - 1));
}
