namespace WarpDrive.Abi.Uacce;

/// <summary>HiSilicon QM doorbells: one 64-bit store into the MMIO region tells the device a new SQ tail or CQ head
/// (UADK's <c>hacc_db_v1</c>/<c>hacc_db_v2</c> in <c>drv/hisi_qm_udrv.c</c>).</summary>
/// <remarks>v2 (<c>hisi_qm_v2</c>, Kunpeng 920): bits 0-9 the queue number, 12-15 the command, 32-47 the index,
/// 48-55 the priority, at MMIO offset 0x1000. v1: the command at bit 16, at offset 0x340.</remarks>
public static class HisiQmDoorbell
{
    /// <summary>Command: a new SQ tail (<c>QM_DBELL_CMD_SQ</c>).</summary>
    public const byte CommandSq = 0;

    /// <summary>Command: a new CQ head (<c>QM_DBELL_CMD_CQ</c>).</summary>
    public const byte CommandCq = 1;

    /// <summary>Offset of the doorbell in the MMIO region, v1 (<c>QM_DBELL_OFFSET</c>).</summary>
    public const int OffsetV1 = 0x340;

    /// <summary>Offset of the doorbell in the MMIO region, v2 (<c>QM_DBELL_OFFSET_V2</c>).</summary>
    public const int OffsetV2 = 0x1000;

    private const int CommandShiftV1 = 16;
    private const int CommandShiftV2 = 12;
    private const int PriorityShift = 16;
    private const int HalfShift = 32;
    private const ulong QueueMaskV2 = 0x3ff;
    private const ulong CommandMaskV2 = 0xf;

    /// <summary>A v2 doorbell.</summary>
    public static ulong EncodeV2(ushort queue, byte command, ushort index, byte priority) =>
        (queue & QueueMaskV2) | ((command & CommandMaskV2) << CommandShiftV2) | (((ulong)index | ((ulong)priority << PriorityShift)) << HalfShift);

    /// <summary>A v1 doorbell.</summary>
    public static ulong EncodeV1(ushort queue, byte command, ushort index, byte priority) =>
        queue | ((ulong)command << CommandShiftV1) | (((ulong)index | ((ulong)priority << PriorityShift)) << HalfShift);

    /// <summary>Splits a v2 doorbell (the device side).</summary>
    public static (ushort Queue, byte Command, ushort Index, byte Priority) DecodeV2(ulong doorbell) => (
        (ushort)(doorbell & QueueMaskV2),
        (byte)((doorbell >> CommandShiftV2) & CommandMaskV2),
        (ushort)(doorbell >> HalfShift),
        (byte)(doorbell >> (HalfShift + PriorityShift)));
}
