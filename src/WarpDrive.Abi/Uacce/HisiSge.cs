using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>One entry of a <see cref="HisiSgl"/> (UADK's <c>struct hisi_sge</c>): 32 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiSge
{
    /// <summary>Size of an entry in bytes.</summary>
    public const int Size = 32;

    /// <summary><c>buff</c>: the buffer's device address (its virtual address with SVA).</summary>
    [FieldOffset(0)] public ulong Buffer;

    /// <summary><c>page_ctrl</c>.</summary>
    [FieldOffset(8)] public ulong PageControl;

    /// <summary><c>len</c>: the buffer's length in bytes.</summary>
    [FieldOffset(16)] public uint Length;

    /// <summary><c>pad</c>.</summary>
    [FieldOffset(20)] public uint Pad;

    /// <summary><c>vbuff</c>: the buffer's virtual address.</summary>
    [FieldOffset(24)] public ulong VirtualBuffer;
}
