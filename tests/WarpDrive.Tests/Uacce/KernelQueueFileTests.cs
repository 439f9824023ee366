using WarpDrive.Abi.Uacce;
using WarpDrive.Discovery;

namespace WarpDrive.Tests.Uacce;

/// <summary>The kernel's queue file as the driver sees it (<see cref="KernelQueueFile"/> on a real character device):
/// an ioctl's errno comes back as a value, a doorbell is a 64-bit store into the mapped MMIO page, and a node that cannot
/// be opened is a clear error. Run on /dev/null and /dev/zero, which answer every call a uacce node answers.</summary>
public sealed unsafe class KernelQueueFileTests
{
    [Fact]
    public void AnIoctlTheDeviceDoesNotKnowReturnsEnotty()
    {
        using IUacceQueueFile file = KernelQueueFile.Open("/dev/null");
        Assert.Equal("/dev/null", file.Path);
        Assert.Equal(UacceErrno.ENOTTY, file.Ioctl(UacceIoctl.StartQueue, null));
        var info = default(HisiQpInfo);
        Assert.Equal(UacceErrno.ENOTTY, file.Ioctl(UacceIoctl.QmSetQpInfo, &info));
    }

    [Fact]
    public void ADoorbellIsA64BitStoreIntoTheMappedMmioRegion()
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
    public void ANodeThatCannotBeOpenedIsAOneLineErrorNamingIt()
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
