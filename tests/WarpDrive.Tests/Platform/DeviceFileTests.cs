using WarpDrive.Abi.Uacce;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

/// <summary>The device-file calls a uacce queue needs, on the character devices every Linux machine has: /dev/null
/// (no ioctls: ENOTTY; always readable) and /dev/zero (maps shared at any page offset).</summary>
public sealed unsafe class DeviceFileTests
{
    [Fact]
    public void AMissingNodeIsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => DeviceFile.Open("/dev/hisi_zip-does-not-exist"));
    }

    [Fact]
    public void AnIoctlTheDeviceDoesNotKnowFailsWithEnottyNamingIt()
    {
        using DeviceFile file = DeviceFile.Open("/dev/null");
        PlatformException e = Assert.Throws<PlatformException>(() => file.Ioctl(UacceIoctl.StartQueue, null));
        Assert.Equal(25, e.Errno); // ENOTTY: /dev/null is not a uacce queue
        Assert.Contains("ioctl 0x00005700 on /dev/null", e.Message, StringComparison.Ordinal);
        Assert.Contains("ENOTTY", e.Message, StringComparison.Ordinal);

        var info = new HisiQpInfo();
        int errno = 0;
        try
        {
            file.Ioctl(UacceIoctl.QmSetQpInfo, &info);
        }
        catch (PlatformException failed)
        {
            errno = failed.Errno;
        }

        Assert.Equal(25, errno);
    }

    [Fact]
    public void RegionsMapSharedAtTheirPageOffsetAndGoOnDispose()
    {
        nint mmio, dus;
        using (DeviceFile file = DeviceFile.Open("/dev/zero"))
        {
            mmio = file.Map((int)UacceRegion.Mmio, 8192);
            dus = file.Map((int)UacceRegion.Dus, 64 << 10);
            // /dev/zero backs a shared mapping with an object as long as the mapping, so at offset 1 page the mapping's
            // last page lies past its end (SIGBUS): only the pages before it are touched.
            var region = new Span<byte>((void*)dus, (64 << 10) - Environment.SystemPageSize);
            string maps = File.ReadAllText("/proc/self/maps");
            Assert.Contains($"{dus:x}-{dus + (64 << 10):x} rw-s {Environment.SystemPageSize:x8} ", maps, StringComparison.Ordinal); // region 1 at page 1
            Assert.Contains($"{mmio:x}-{mmio + 8192:x} rw-s 00000000 ", maps, StringComparison.Ordinal);
            Assert.True(region.IndexOfAnyExcept((byte)0) < 0);
            region.Fill(0xA5); // writable
            Assert.NotEqual(mmio, dus);
            Assert.Throws<ArgumentOutOfRangeException>(() => file.Map(-1, 4096));
        }

        // Unmapped by Dispose: the pages are gone from this process.
        string after = File.ReadAllText("/proc/self/maps");
        Assert.DoesNotContain($"{dus:x}-", after, StringComparison.Ordinal);
        Assert.DoesNotContain($"{mmio:x}-", after, StringComparison.Ordinal);
    }

    [Fact]
    public void PollReportsAReadableFileAndADisposedFileRefuses()
    {
        DeviceFile file = DeviceFile.Open("/dev/null");
        Assert.True(file.WaitReadable(TimeSpan.FromSeconds(1)));
        file.Dispose();
        Assert.Throws<ObjectDisposedException>(() => file.WaitReadable(TimeSpan.Zero));
        Assert.Throws<ObjectDisposedException>(() => file.Ioctl(UacceIoctl.PutQueue, null));
    }
}
