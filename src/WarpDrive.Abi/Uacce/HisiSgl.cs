using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>The header of a HiSilicon hardware scatter-gather list (UADK's <c>struct hisi_sgl</c> in
/// <c>drv/hisi_qm_udrv.c</c>): 64 bytes, followed by <see cref="EntryLength"/> entries of <see cref="HisiSge"/>.
/// Lists chain through <see cref="NextDma"/>; an SQE with buffer type 1 points at the first list.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiSgl
{
    /// <summary>Size of the header in bytes (the entries follow it).</summary>
    public const int Size = 64;

    /// <summary>Most entries one list holds (<c>HISI_SGE_NUM_IN_SGL</c>); longer data chains lists.</summary>
    public const int MaxEntries = 255;

    /// <summary><c>next_dma</c>: the next list of the chain, or 0.</summary>
    [FieldOffset(0)] public ulong NextDma;

    /// <summary><c>entry_sum_in_chain</c>: entries in the whole chain (set in the first list).</summary>
    [FieldOffset(8)] public ushort EntrySumInChain;

    /// <summary><c>entry_sum_in_sgl</c>: entries of this list that hold a buffer.</summary>
    [FieldOffset(10)] public ushort EntrySumInSgl;

    /// <summary><c>entry_length_in_sgl</c>: entries this list has room for.</summary>
    [FieldOffset(12)] public ushort EntryLength;

    /// <summary><c>next</c>: the next list's virtual address (the same as <see cref="NextDma"/> with SVA).</summary>
    [FieldOffset(48)] public ulong Next;

    /// <summary><c>entry_size_in_sgl</c>: bytes in this list's buffers.</summary>
    [FieldOffset(56)] public ulong EntrySizeInSgl;
}
