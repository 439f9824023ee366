using System.Runtime.CompilerServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>The ioctls of a uacce queue file <c>/dev/&lt;name&gt;-&lt;id&gt;</c>: uacce's own
/// (<c>include/uapi/misc/uacce/uacce.h</c>) and hisi_qm's (<c>include/uapi/misc/uacce/hisi_qm.h</c>).</summary>
public static class UacceIoctl
{
    /// <summary><c>UACCE_CMD_START_Q</c> = <c>_IO('W', 0)</c>: start the queue (after its regions are mapped).</summary>
    public static readonly uint StartQueue = IoctlNumber.Io('W', 0);

    /// <summary><c>UACCE_CMD_PUT_Q</c> = <c>_IO('W', 1)</c>: stop the queue and free it now (closing the file may be
    /// deferred while mappings remain).</summary>
    public static readonly uint PutQueue = IoctlNumber.Io('W', 1);

    /// <summary><c>UACCE_CMD_QM_SET_QP_CTX</c> = <c>_IOWR('H', 10, struct hisi_qp_ctx)</c>: set the queue's algorithm
    /// type; the kernel writes the queue pair's index back.</summary>
    public static readonly uint QmSetQpContext = IoctlNumber.Iowr('H', 10, Unsafe.SizeOf<HisiQpContext>());

    /// <summary><c>UACCE_CMD_QM_SET_QP_INFO</c> = <c>_IOWR('H', 11, struct hisi_qp_info)</c>: read the queue's SQE size
    /// and depths.</summary>
    public static readonly uint QmSetQpInfo = IoctlNumber.Iowr('H', 11, Unsafe.SizeOf<HisiQpInfo>());
}
