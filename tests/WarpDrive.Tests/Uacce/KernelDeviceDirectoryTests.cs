using WarpDrive.Discovery;

namespace WarpDrive.Tests.Uacce;

/// <summary>Discovery of kernel uacce devices, on a tree laid out as the kernel lays out /sys/class/uacce.</summary>
public sealed class KernelDeviceDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sysfs-").FullName;

    private string ClassDirectory => Path.Combine(_root, "class", "uacce");

    /// <summary>A device as the kernel shows it: its attributes, and <c>device</c> a symlink to the parent PCI device
    /// (which holds <c>numa_node</c>).</summary>
    private void Device(string name, string api, string flags, string algorithms, string isolate, string? numaNode)
    {
        string pci = Path.Combine(_root, "devices", "pci0000:74", $"0000:75:00.{name[^1]}");
        Directory.CreateDirectory(pci);
        if (numaNode is not null)
        {
            File.WriteAllText(Path.Combine(pci, "numa_node"), numaNode + "\n");
        }

        string directory = Path.Combine(ClassDirectory, name);
        Directory.CreateDirectory(directory);
        File.CreateSymbolicLink(Path.Combine(directory, "device"), pci);
        File.WriteAllText(Path.Combine(directory, "api"), api + "\n");
        File.WriteAllText(Path.Combine(directory, "flags"), flags + "\n");
        File.WriteAllText(Path.Combine(directory, "algorithms"), algorithms);
        File.WriteAllText(Path.Combine(directory, "available_instances"), "256\n");
        File.WriteAllText(Path.Combine(directory, "isolate"), isolate + "\n");
        File.WriteAllText(Path.Combine(directory, "region_mmio_size"), "8192\n");
        File.WriteAllText(Path.Combine(directory, "region_dus_size"), "151552\n");
    }

    [Fact]
    public void KernelAttributesAreReadInLibwdTermsAndIsolatedDevicesLeftOut()
    {
        Device("hisi_zip-0", "hisi_qm_v2", "1", "zlib\ngzip\ndeflate\nlz77_zstd\n", "0", "1");
        Device("hisi_zip-1", "hisi_qm_v2", "0", "zlib\ngzip\n", "0", null);
        Device("hisi_zip-2", "hisi_qm_v2", "1", "zlib\n", "1", "0"); // isolated

        IReadOnlyList<WdDeviceInfo> devices = KernelDeviceDirectory.Read(ClassDirectory);

        Assert.Equal(["hisi_zip-0", "hisi_zip-1"], devices.Select(d => d.Name));
        WdDeviceInfo zip = devices[0];
        Assert.Equal("kernel", zip.Location);
        Assert.Equal(300, zip.Priority); // above the broker's (200) and in-process devices (100)
        Assert.Equal("hisi_qm_v2", zip.Api);
        Assert.Equal(["zlib", "gzip", "deflate", "lz77_zstd"], zip.Algorithms);
        Assert.True(zip.Supports("gzip"));
        Assert.True(zip.HasSva);
        Assert.False(zip.HasShare);
        Assert.Equal(1, zip.NumaNode);
        Assert.Equal(256, zip.AvailableInstances);
        Assert.False(devices[1].HasSva);
        Assert.Equal(-1, devices[1].NumaNode);
    }

    [Fact]
    public void AMissingClassDirectoryHasNoDevices() =>
        Assert.Empty(KernelDeviceDirectory.Read(Path.Combine(_root, "nothing-here")));

    [Theory]
    [InlineData("1", "SVA")]
    [InlineData("3", "SVA")]
    [InlineData("0", "")]
    [InlineData("2", "")]
    [InlineData("SVA", "")]
    [InlineData(null, "")]
    public void NumericFlagsBecomeWords(string? flags, string words) => Assert.Equal(words, KernelDeviceDirectory.FlagWords(flags));

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
