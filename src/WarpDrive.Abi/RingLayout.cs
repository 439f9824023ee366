namespace WarpDrive.Abi;

/// <summary>Byte layout of a <c>wd_ring_v1</c> queue region (the DUS region). See docs/QUEUE-ABI.md.</summary>
/// <remarks>Each side's state lives on its own 128-byte line so that producer and consumer never write the
/// same cache line (two 64-byte lines, because adjacent-line prefetch pairs them).</remarks>
public static class RingLayout
{
    /// <summary>The <c>api</c> attribute of devices that speak this layout.</summary>
    public const string Api = "wd_ring_v1";

    /// <summary>"WDQ1" read as a little-endian u32.</summary>
    public const uint Magic = 0x31514457;

    /// <summary>Layout version stored in the header.</summary>
    public const ushort Version = 1;

    /// <summary>Size of one side's state line.</summary>
    public const int LineSize = 128;

    /// <summary>Region page size: regions are whole pages so that they can be mapped.</summary>
    public const int PageSize = 4096;

    /// <summary>Smallest ring depth.</summary>
    public const int MinDepth = 2;

    /// <summary>Largest ring depth.</summary>
    public const int MaxDepth = 4096;

    /// <summary>Header line: identity and geometry, written once by the device side.</summary>
    public const int HeaderOffset = 0x000;

    /// <summary>Control line: the status word, written by the device side only.</summary>
    public const int ControlOffset = 0x080;

    /// <summary>SQ producer line, written by the client: <c>sq_tail</c> (u64) at +0, <c>doorbell</c> (u32) at +8.</summary>
    public const int SqProducerOffset = 0x100;

    /// <summary>SQ consumer line, written by the device: <c>sq_head</c> (u64) at +0, <c>device_waiting</c> (u32) at +8.</summary>
    public const int SqConsumerOffset = 0x180;

    /// <summary>CQ producer line, written by the device: <c>cq_tail</c> (u64) at +0, <c>cq_wake</c> (u32) at +8.</summary>
    public const int CqProducerOffset = 0x200;

    /// <summary>CQ consumer line, written by the client: <c>cq_head</c> (u64) at +0, <c>client_waiting</c> (u32) at +8.</summary>
    public const int CqConsumerOffset = 0x280;

    /// <summary>First submission entry.</summary>
    public const int SqOffset = 0x300;

    // Header fields (relative to HeaderOffset).
    /// <summary>u32 magic.</summary>
    public const int MagicField = 0;
    /// <summary>u16 layout version.</summary>
    public const int VersionField = 4;
    /// <summary>u16 SQE size.</summary>
    public const int SqeSizeField = 6;
    /// <summary>u16 CQE size.</summary>
    public const int CqeSizeField = 8;
    /// <summary>u16 reserved.</summary>
    public const int HeaderReservedField = 10;
    /// <summary>u32 ring depth (SQ and CQ have the same depth).</summary>
    public const int DepthField = 12;
    /// <summary>u32 offset of the SQ.</summary>
    public const int SqOffsetField = 16;
    /// <summary>u32 offset of the CQ.</summary>
    public const int CqOffsetField = 20;
    /// <summary>u32 region size in bytes.</summary>
    public const int RegionSizeField = 24;
    /// <summary>u32 queue id within its device.</summary>
    public const int QueueIdField = 28;
    /// <summary>u32 number of stream contexts this queue may use.</summary>
    public const int MaxStreamsField = 32;

    // Control fields (relative to ControlOffset).
    /// <summary>u32 <see cref="QueueState"/>.</summary>
    public const int StateField = 0;
    /// <summary>u32 why the queue was disabled (device-defined).</summary>
    public const int DisableReasonField = 4;
    /// <summary>u32 count of error completions the queue has produced.</summary>
    public const int ErrorCountField = 8;

    /// <summary>Whether <paramref name="depth"/> is a valid ring depth (a power of two in range).</summary>
    public static bool IsValidDepth(int depth) =>
        depth is >= MinDepth and <= MaxDepth && (depth & (depth - 1)) == 0;

    /// <summary>Offset of the first completion entry for a ring of <paramref name="depth"/>.</summary>
    public static int CqOffset(int depth) => SqOffset + (depth * Sqe.Size);

    /// <summary>Region size for a ring of <paramref name="depth"/>, rounded up to whole pages.</summary>
    public static int RegionSize(int depth)
    {
        int end = CqOffset(depth) + (depth * Cqe.Size);
        return (end + PageSize - 1) & ~(PageSize - 1);
    }
}
