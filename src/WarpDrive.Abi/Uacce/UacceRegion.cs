namespace WarpDrive.Abi.Uacce;

/// <summary><c>enum uacce_qfrt</c>: the regions of a queue file. Region <c>r</c> is mapped at file offset
/// <c>r * page size</c>, with the length the device's <c>region_&lt;name&gt;_size</c> attribute gives.</summary>
public enum UacceRegion
{
    /// <summary><c>UACCE_QFRT_MMIO</c>: the device's doorbell page(s).</summary>
    Mmio = 0,

    /// <summary><c>UACCE_QFRT_DUS</c>: device user share, the queue's SQ and CQ (and status word) in memory.</summary>
    Dus = 1,
}
