using WarpDrive.Abi.Uacce;
using WarpDrive.Drivers;
using WarpDrive.Queues;

namespace WarpDrive.Discovery;

/// <summary>A libwd context on a kernel uacce device: its queue files (opens of <c>/dev/&lt;name&gt;</c>): for ZIP two,
/// the one that compresses and the one that decompresses; for SEC one; for HPRE the one for RSA and DH and, where the
/// device has ECC, the one for ECC. There is no broker in the data path: the driver
/// writes SQEs into the mapped DUS region and rings the MMIO doorbell itself. The device reaches every address of the
/// process (SVA), so sharing a buffer needs no call.</summary>
internal sealed class KernelQueueTransport(KernelDevices provider, WdDeviceInfo device, IUacceQueueFile[] files)
    : QueueTransport
{
    private int _released;

    public override WdDeviceInfo Device { get; } = device;

    public override nint RegionBase => 0;

    public override int RegionSize => 0;

    public override QueueDriver CreateDriver() => KernelDevices.IsSec(Device)
        ? new HisiSecDriver(Device, HisiQmQueue.Start(files[0], Device, qcType: 0, HisiSecSqe.Size), () => provider.OpenSoftware(Device))
        : KernelDevices.IsHpre(Device)
        ? new HisiHpreDriver(Device,
            HisiQmQueue.Start(files[0], Device, qcType: 0, HisiHpreSqe.Size),
            files.Length > 1 ? HisiQmQueue.Start(files[1], Device, qcType: 1, HisiHpreSqe.Size) : null,
            () => provider.OpenSoftware(Device))
        : new HisiZipDriver(Device,
            HisiQmQueue.Start(files[0], Device, qcType: 0, HisiZipSqe.Size),
            HisiQmQueue.Start(files[1], Device, qcType: 1, HisiZipSqe.Size));

    public override bool NeedsShares => false;

    public override bool ReadsClientMemoryDirectly => true; // SVA: the IOMMU walks this process's page table

    public override int Share(nint address, long length) => 0;

    public override void Unshare(int handle)
    {
    }

    public override WdSharedMemory ReserveMemory(int length) => provider.ReserveMemory(length);

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            // PUT_Q returns once the engine has left the queue; closing the file alone would too, but only when the
            // last mapping goes, which is ours: say it first.
            foreach (IUacceQueueFile file in files)
            {
                Release(file);
            }
        }
    }

    private static unsafe void Release(IUacceQueueFile file)
    {
        _ = file.Ioctl(UacceIoctl.PutQueue, null); // a queue never started answers EINVAL: nothing to stop
        file.Dispose();
    }
}
