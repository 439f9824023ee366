namespace WarpDrive.Abi.Uacce;

/// <summary>The layout of a HiSilicon QM queue's DUS region (device user share): the SQ from offset 0
/// (<c>sqe_size</c> × <c>sq_depth</c> bytes), then the CQ (16 × <c>cq_depth</c>), and in the region's last 8 bytes two
/// status words the kernel sets to 1 when the queue or device stops: the driver reads the last one before an SQ
/// doorbell and the one before it before a CQ doorbell (UADK's <c>ds_tx_base</c>/<c>ds_rx_base</c>).</summary>
public static class HisiQmDus
{
    /// <summary>Queue depth when the kernel does not answer <see cref="UacceIoctl.QmSetQpInfo"/> (<c>QM_Q_DEPTH</c>).</summary>
    public const int DefaultDepth = 1024;

    /// <summary>The status words' value for a stopped queue or device.</summary>
    public const uint Stopped = 1;

    /// <summary>Offset of the CQ.</summary>
    public static long CqOffset(int sqeSize, int sqDepth) => (long)sqeSize * sqDepth;

    /// <summary>Offset of the status word read before an SQ doorbell: the region's last 4 bytes.</summary>
    public static long TxStatusOffset(long regionSize) => regionSize - sizeof(uint);

    /// <summary>Offset of the status word read before a CQ doorbell: the 4 bytes before <see cref="TxStatusOffset"/>.</summary>
    public static long RxStatusOffset(long regionSize) => regionSize - (2 * sizeof(uint));
}
