using System.Runtime.InteropServices;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

public unsafe class SharedMemoryRegionTests
{
    private const uint SealExec = 0x20; // F_SEAL_EXEC: added by MFD_NOEXEC_SEAL on Linux 6.3+

    [Fact]
    public void CreateRoundsUpToPagesAndSealsTheSize()
    {
        using var region = SharedMemoryRegion.Create("wd-test", 5000);

        Assert.Equal(8192, region.Length);
        Assert.Equal(0, region.Address % 4096);
        Assert.Equal(SharedMemoryRegion.CreateSeals, SharedMemoryRegion.GetSeals(region.Handle) & ~SealExec);
        Assert.Equal(2u | 4u | 1u, SharedMemoryRegion.CreateSeals);
        Assert.Equal(8192, RandomAccess.GetLength(region.Handle));
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(16384)]
    public void FtruncateOnASealedRegionFailsWithEperm(long newSize)
    {
        using var region = SharedMemoryRegion.Create("wd-test", 8192);

        Assert.Equal(-1, Interop.Libc.FTruncate(region.Handle, newSize));
        Assert.Equal(Interop.Libc.EPERM, Marshal.GetLastPInvokeError());
        Assert.Equal(8192, RandomAccess.GetLength(region.Handle));
    }

    [Fact]
    public void CreateRejectsNonPositiveSizes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemoryRegion.Create("wd-test", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SharedMemoryRegion.Create("wd-test", -1));
    }

    [Fact]
    public void CreateFailuresNameTheCallAndErrno()
    {
        var e = Assert.Throws<PlatformException>(() => SharedMemoryRegion.Create(new string('n', 300), 4096)); // names stop at 249 bytes
        Assert.Equal(Interop.Libc.EINVAL, e.Errno);
        Assert.StartsWith("memfd_create failed: EINVAL (", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MapOfADuplicateSeesTheSameMemory()
    {
        using var region = SharedMemoryRegion.Create("wd-test", 3 * 4096);
        using var second = SharedMemoryRegion.Map(FileDescriptor.Duplicate(region.Handle), 3 * 4096);

        Assert.NotEqual(region.Address, second.Address);
        long* a = (long*)region.Address;
        long* b = (long*)second.Address;
        a[0] = 0x1122334455667788;
        a[3 * 4096 / 8 - 1] = 42; // last word of the last page
        Assert.Equal(0x1122334455667788, b[0]);
        Assert.Equal(42, b[3 * 4096 / 8 - 1]);
        b[600] = -7;
        Assert.Equal(-7, a[600]);
    }

    [Fact]
    public void MapRefusesAFileSmallerThanAsked()
    {
        using var region = SharedMemoryRegion.Create("wd-test", 4096);
        var copy = FileDescriptor.Duplicate(region.Handle);

        var e = Assert.Throws<IOException>(() => SharedMemoryRegion.Map(copy, 8192));
        Assert.Contains("4096", e.Message, StringComparison.Ordinal);
        Assert.True(copy.IsClosed); // ownership was taken: closed on failure
    }

    [Fact]
    public void CloseHandleKeepsTheMappingAndDisposeIsIdempotent()
    {
        var region = SharedMemoryRegion.Create("wd-test", 4096);
        region.CloseHandle();
        Assert.True(region.Handle.IsClosed);
        *(int*)region.Address = 5;
        Assert.Equal(5, *(int*)region.Address);

        region.Dispose();
        region.Dispose();
        Assert.Equal(0, region.Address);
    }

    [Fact]
    public void GetSealsOfANonMemfdFailsWithErrno()
    {
        using var file = File.OpenHandle("/proc/self/stat");
        var e = Assert.Throws<PlatformException>(() => SharedMemoryRegion.GetSeals(file));
        Assert.Equal(Interop.Libc.EINVAL, e.Errno);
        Assert.StartsWith("fcntl(F_GET_SEALS) failed: EINVAL (", e.Message, StringComparison.Ordinal);
    }
}
