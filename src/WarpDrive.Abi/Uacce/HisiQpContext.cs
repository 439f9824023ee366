using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary><c>struct hisi_qp_ctx</c> (<c>include/uapi/misc/uacce/hisi_qm.h</c>), the argument of
/// <see cref="UacceIoctl.QmSetQpContext"/>: 4 bytes.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiQpContext
{
    /// <summary>Size of the structure in bytes.</summary>
    public const int Size = 4;

    /// <summary><c>id</c>: the queue pair's index, returned by the kernel.</summary>
    [FieldOffset(0)] public ushort Id;

    /// <summary><c>qc_type</c>: the algorithm type the queue serves (ZIP: 0 compression, 1 decompression).</summary>
    [FieldOffset(2)] public ushort QcType;
}
