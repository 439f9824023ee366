using WarpDrive.Abi.Uacce;
using WarpDrive.Discovery;

namespace WarpDrive.Tests.Uacce;

/// <summary>The kernel's queue file as the driver sees it (<see cref="KernelQueueFile"/> on a real character device):
/// an ioctl's errno comes back as a value, a doorbell is a 64-bit store into the mapped MMIO page, and a node that cannot
/// be opened is a clear error. Run on /dev/null and /dev/zero, which answer every call a uacce node answers.</summary>
public sealed unsafe class KernelQueueFileTests
{
    [Fact]
    public void An_ioctl_the_device_does_not_know_returns_enotty()
    {
        using IUacceQueueFile file = KernelQueueFile.Open("/dev/null");
        Assert.Equal("/dev/null", file.Path);
        Assert.Equal(UacceErrno.ENOTTY, file.Ioctl(UacceIoctl.StartQueue, null));
        var info = default(HisiQpInfo);
        Assert.Equal(UacceErrno.ENOTTY, file.Ioctl(UacceIoctl.QmSetQpInfo, &info));
    }

    [Fact]
    public void A_doorbell_is_a_64_bit_store_into_the_mapped_mmio_region()
    {
        using IUacceQueueFile file = KernelQueueFile.Open("/dev/zero");
        nint mmio = file.Map(UacceRegion.Mmio, 2 * Environment.SystemPageSize);
        ulong doorbell = HisiQmDoorbell.EncodeV2(3, HisiQmDoorbell.CommandSq, 17, 0);
        file.WriteMmio64(HisiQmDoorbell.OffsetV2, doorbell);
        Assert.Equal(doorbell, *(ulong*)(mmio + HisiQmDoorbell.OffsetV2));
        Assert.Throws<ArgumentOutOfRangeException>(() => file.WriteMmio64((2 * Environment.SystemPageSize) - 4, 1));
        Assert.True(file.WaitReadable(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void A_node_that_cannot_be_opened_is_a_one_line_error_naming_it()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"wd-no-such-{Guid.NewGuid():N}");
        using var devices = new KernelDevices(new UacceOptions { ClassDirectory = missing, DeviceDirectory = missing });
        Assert.Empty(devices.GetDevices());
        var device = new WdDeviceInfo("hisi_zip-9", "kernel", new Dictionary<string, string>());
        WdException e = Assert.Throws<WdException>(() => devices.TryOpenQueue(device, out _, wait: false, CancellationToken.None));
        Assert.Contains(Path.Combine(missing, "hisi_zip-9"), e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
