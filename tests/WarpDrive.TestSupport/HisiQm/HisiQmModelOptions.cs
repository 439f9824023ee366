using WarpDrive.Abi.Uacce;

namespace WarpDrive.TestSupport.HisiQm;

/// <summary>How a <see cref="HisiQmModel"/> is made: its queues, their depth and the kernel it stands for.</summary>
public class HisiQmModelOptions
{
    /// <summary>Queues the device has (its <c>available_instances</c> when none is open); 1 to 1024 (the doorbell's
    /// queue number has 10 bits).</summary>
    public int QueueCount { get; init; } = 4;

    /// <summary>Entries in each queue's SQ and CQ: a power of two from 2 to 1024.</summary>
    public int Depth { get; init; } = HisiQmDus.DefaultDepth;

    /// <summary>Whether the model answers <c>UACCE_CMD_QM_SET_QP_INFO</c> (Linux 6.4 and later); without it the ioctl
    /// fails with EINVAL (as kernels before the request answer) and a driver must assume <see cref="HisiQmDus.DefaultDepth"/>, so <see cref="Depth"/> should
    /// then be that.</summary>
    public bool SupportsQpInfo { get; init; } = true;

    /// <summary>The NUMA node the device's parent PCI device reports (<c>numa_node</c>; -1 for none).</summary>
    public int NumaNode { get; init; }
}
