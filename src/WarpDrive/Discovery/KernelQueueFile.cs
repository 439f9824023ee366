using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Platform;

namespace WarpDrive.Discovery;

/// <summary>A queue file of the kernel: <see cref="DeviceFile"/> on <c>/dev/&lt;name&gt;-&lt;id&gt;</c>. Doorbells are plain
/// 64-bit stores into the mapped MMIO page, which the hardware latches.</summary>
internal sealed unsafe class KernelQueueFile(DeviceFile file) : IUacceQueueFile
{
    private nint _mmio;
    private long _mmioLength;

    /// <summary>Opens <paramref name="path"/>.</summary>
    public static IUacceQueueFile Open(string path) => new KernelQueueFile(DeviceFile.Open(path));

    public string Path => file.Path;

    public int Ioctl(uint request, void* argument)
    {
        try
        {
            _ = file.Ioctl(request, argument);
            return 0;
        }
        catch (PlatformException e)
        {
            return e.Errno;
        }
    }

    public nint Map(UacceRegion region, long length)
    {
        nint address = file.Map((int)region, length);
        if (region == UacceRegion.Mmio)
        {
            _mmio = address;
            _mmioLength = length;
        }

        return address;
    }

    public void WriteMmio64(int offset, ulong value)
    {
        // Hazard: a store outside the mapped page would fault; the driver only writes the doorbell offset.
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + sizeof(ulong), _mmioLength, nameof(offset));
        // Hazard: the SQE must be in memory before the device sees the doorbell (and a CQE read before its slot is
        // handed back). UADK issues wmb() (dsb st on arm64); DoorbellFence is the strongest .NET has (dmb ish), and the
        // register store itself is a release (stlr) of one 64-bit word, which the device latches whole.
        MemoryOrder.DoorbellFence();
        MemoryOrder.StoreRelease(ref *(ulong*)(_mmio + offset), value);
    }

    public bool WaitReadable(TimeSpan timeout) => file.WaitReadable(timeout);

    public void Dispose() => file.Dispose();
}
