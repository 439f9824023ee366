using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>A HiSilicon QM completion queue entry: 16 bytes, little-endian (UADK's <c>struct cqe</c> in
/// <c>drv/hisi_qm_udrv.c</c>). The device writes it with the current phase in bit 0 of <see cref="W7"/>; the driver
/// starts with phase 1 and flips its expectation each time its CQ head wraps, so an entry from the previous lap is
/// never taken for a new one.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiQmCqe
{
    /// <summary>Size of a CQE in bytes (<c>QM_CQE_SIZE</c>).</summary>
    public const int Size = 16;

    /// <summary>The phase bit in <see cref="W7"/>.</summary>
    public const ushort PhaseBit = 0x1;

    /// <summary><c>rsvd0</c>.</summary>
    [FieldOffset(0)] public uint Reserved0;

    /// <summary><c>cmd_id</c>.</summary>
    [FieldOffset(4)] public ushort CommandId;

    /// <summary><c>rsvd1</c>.</summary>
    [FieldOffset(6)] public ushort Reserved1;

    /// <summary><c>sq_head</c>: the SQ slot whose request completed (its SQE holds the results).</summary>
    [FieldOffset(8)] public ushort SqHead;

    /// <summary><c>sq_num</c>: the queue.</summary>
    [FieldOffset(10)] public ushort SqNumber;

    /// <summary><c>rsvd2</c>.</summary>
    [FieldOffset(12)] public ushort Reserved2;

    /// <summary><c>w7</c>: bit 0 is the phase.</summary>
    [FieldOffset(14)] public ushort W7;

    /// <summary>The phase this entry was written in.</summary>
    public readonly bool Phase => (W7 & PhaseBit) != 0;
}
