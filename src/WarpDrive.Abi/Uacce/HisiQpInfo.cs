using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary><c>struct hisi_qp_info</c> (<c>include/uapi/misc/uacce/hisi_qm.h</c>), the argument of
/// <see cref="UacceIoctl.QmSetQpInfo"/>: 16 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiQpInfo
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 16;

    /// <summary><c>sqe_size</c>: bytes per submission queue element (128 for ZIP).</summary>
    [FieldOffset(0)] public uint SqeSize;

    /// <summary><c>sq_depth</c>: entries in the submission queue.</summary>
    [FieldOffset(4)] public ushort SqDepth;

    /// <summary><c>cq_depth</c>: entries in the completion queue.</summary>
    [FieldOffset(6)] public ushort CqDepth;

    /// <summary><c>reserved</c>.</summary>
    [FieldOffset(8)] public ulong Reserved;
}
