using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>A HiSilicon HPRE (hisi_hpre) submission queue entry: 64 bytes (UADK's <c>struct hisi_hpre_sqe</c> in
/// <c>drv/hisi_hpre.c</c>; the kernel's <c>struct hpre_sqe</c> in <c>drivers/crypto/hisilicon/hpre/hpre.h</c>). It
/// names the task (<see cref="HisiHpreAlgorithm"/>), the operand size in 64-bit words less one, and the addresses of the
/// key, input and output operands: big-endian numbers, each padded with leading zeros to the operand size. The device
/// writes its result (<see cref="DoneMask"/>, the error types) back into the same entry; the CQE names the slot.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiHpreSqe
{
    /// <summary>Size of an SQE in bytes.</summary>
    public const int Size = 64;

    /// <summary><see cref="Dw0"/> bits 0-4: the task (<c>alg</c>).</summary>
    public const uint AlgorithmMask = 0x1f;

    /// <summary><see cref="Dw0"/> bits 5-15: the error type (<c>etype</c>).</summary>
    public const int ErrorTypeShift = 5;

    /// <summary>Mask of the error type after <see cref="ErrorTypeShift"/> (11 bits).</summary>
    public const uint ErrorTypeMask = 0x7ff;

    /// <summary><see cref="Dw0"/> bits 16-29: the second error type (<c>etype1</c>; bit 5 an SVA prefetch error).</summary>
    public const int ErrorType1Shift = 16;

    /// <summary>Mask of the second error type after <see cref="ErrorType1Shift"/> (14 bits).</summary>
    public const uint ErrorType1Mask = 0x3fff;

    /// <summary><see cref="Dw0"/> bits 30-31: the done field (<c>done</c>).</summary>
    public const int DoneShift = 30;

    /// <summary>The done field of all ones.</summary>
    public const uint DoneMask = 0x3;

    /// <summary>Done field as the driver submits it (<c>HPRE_HW_TASK_INIT</c>).</summary>
    public const uint TaskInit = 1;

    /// <summary>Done field of a task the engine finished (<c>HPRE_HW_TASK_DONE</c>).</summary>
    public const uint TaskDone = 3;

    /// <summary><see cref="Dw1"/> bits 0-7: the operand size in 64-bit words, less one (<c>task_len1</c>).</summary>
    public const uint TaskLengthMask = 0xff;

    /// <summary><see cref="Dw1"/> bit 25: SM2's nonce comes from the engine's generator (<c>sm2_ksel</c>).</summary>
    public const int Sm2KeySelectShift = 25;

    /// <summary><see cref="Dw1"/> bits 27-30: the SVA prefetch status (<c>sva_status</c>).</summary>
    public const int SvaStatusShift = 27;

    /// <summary>The bit of an ECDSA or SM2 verification's result in the low word of <see cref="OutputAddress"/>: set
    /// when the signature holds (UADK's <c>ecc_verf_out_transfer</c>).</summary>
    public const ulong VerifyPassed = 0x2;

    /// <summary><c>alg</c> (bits 0-4), <c>etype</c> (5-15), <c>etype1</c> (16-29), <c>done</c> (30-31).</summary>
    [FieldOffset(0)] public uint Dw0;

    /// <summary><c>task_len1</c> (bits 0-7), <c>task_len2</c> (8-15), <c>mrttest_num</c> (16-23), <c>uwkey_enb</c> (24),
    /// <c>sm2_ksel</c> (25), <c>sva_bypass</c> (26), <c>sva_status</c> (27-30), <c>bd_rsv2</c> (31).</summary>
    [FieldOffset(4)] public uint Dw1;

    /// <summary>The key operand (<c>low_key</c>, <c>hi_key</c>).</summary>
    [FieldOffset(8)] public ulong KeyAddress;

    /// <summary>The input operand (<c>low_in</c>, <c>hi_in</c>).</summary>
    [FieldOffset(16)] public ulong InputAddress;

    /// <summary>The output operand (<c>low_out</c>, <c>hi_out</c>); a verification's result comes back in its low word.</summary>
    [FieldOffset(24)] public ulong OutputAddress;

    /// <summary>The driver's tag, written back unchanged (<c>low_tag</c>, <c>hi_tag</c>; the kernel uses the low 16 bits).</summary>
    [FieldOffset(32)] public ulong Tag;

    /// <summary><c>sm2_mlen</c> (bits 0-8), <c>rsvd1</c>, <c>uwkey_sel</c> (16-19), <c>wrap_num</c> (20-22), <c>resv2</c>.</summary>
    [FieldOffset(40)] public uint Dw10;

    /// <summary><c>kek_key</c>.</summary>
    [FieldOffset(44)] public uint KekKey;

    /// <summary>The task (<see cref="Dw0"/> bits 0-4).</summary>
    public readonly HisiHpreAlgorithm Algorithm => (HisiHpreAlgorithm)(Dw0 & AlgorithmMask);

    /// <summary>The error type (<see cref="Dw0"/> bits 5-15).</summary>
    public readonly uint ErrorType => (Dw0 >> ErrorTypeShift) & ErrorTypeMask;

    /// <summary>The second error type (<see cref="Dw0"/> bits 16-29).</summary>
    public readonly uint ErrorType1 => (Dw0 >> ErrorType1Shift) & ErrorType1Mask;

    /// <summary>The done field (<see cref="Dw0"/> bits 30-31).</summary>
    public readonly uint Done => Dw0 >> DoneShift;

    /// <summary>The operand size in bytes that <c>task_len1</c> names: (task_len1 + 1) × 8.</summary>
    public readonly int OperandBytes => (int)(((Dw1 & TaskLengthMask) + 1) * 8);

    /// <summary>The first dword of a task as a driver submits it: <paramref name="algorithm"/>, no error, done
    /// <see cref="TaskInit"/>.</summary>
    public static uint Submitted(HisiHpreAlgorithm algorithm) => (uint)algorithm | (TaskInit << DoneShift);

    /// <summary><c>task_len1</c> for operands of <paramref name="bytes"/> bytes (a multiple of 8 from 8 to 2048).</summary>
    public static uint TaskLength(int bytes) => (uint)((bytes / 8) - 1);
}
