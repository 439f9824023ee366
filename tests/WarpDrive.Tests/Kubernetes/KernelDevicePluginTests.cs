using WarpDrive.Kubernetes.DevicePluginApi;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>Kernel uacce devices through the plugin, on a class directory laid out as the kernel's (a device's entry a
/// link into a devices tree, its attributes one file each) and a device node: there is no such hardware here, and no
/// broker is needed. The plugin runs in-process against the kubelet stand-in, over real sockets.</summary>
public sealed class KernelDevicePluginTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("uacce-");

    private string ClassDirectory => Path.Combine(_root.FullName, "class", "uacce");

    private string DeviceDirectory => Path.Combine(_root.FullName, "dev");

    private string SysfsDirectory => Path.Combine(_root.FullName, "devices", "pci0000:00", "uacce", "hisi_zip-0");

    public KernelDevicePluginTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(SysfsDirectory);
        Directory.CreateDirectory(ClassDirectory);
        Directory.CreateDirectory(DeviceDirectory);
        Directory.CreateSymbolicLink(Path.Combine(ClassDirectory, "hisi_zip-0"), Path.GetRelativePath(ClassDirectory, SysfsDirectory));
        foreach ((string name, string value) in (List<(string, string)>)[("api", "hisi_qm_v2"), ("available_instances", "3"), ("isolate", "0"), ("numa_node", "0")])
        {
            File.WriteAllText(Path.Combine(SysfsDirectory, name), value + "\n");
        }

        File.WriteAllText(Path.Combine(DeviceDirectory, "hisi_zip-0"), ""); // the node (a character device on a real machine)
    }

    [Fact]
    public async Task AKernelDeviceIsOfferedAndAllocatedWithItsNodeAndSysfsDirectory()
    {
        string run = Directory.CreateDirectory(Path.Combine(_root.FullName, "run")).FullName;
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(run, kubelet, _output, uacceClassDirectory: ClassDirectory, uacceDeviceDirectory: DeviceDirectory);
        RegisterRequest registration = await kubelet.NextRegistrationAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("warpdrive.io/zip", registration.ResourceName);
        DevicePlugin.DevicePluginClient client = kubelet.Dial(registration, out IDisposable channel);
        using (channel)
        using (var watch = new UnitWatch(client))
        {
            IReadOnlyList<Device> units = await watch.UntilAsync(l => l.Count == 3, "there are 3 units");
            Assert.Equal(["hisi_zip-0.q0", "hisi_zip-0.q1", "hisi_zip-0.q2"], units.Select(u => u.ID));
            Assert.All(units, u => Assert.Equal(("Healthy", 0L), (u.Health, Assert.Single(u.Topology.Nodes).ID)));

            AllocateResponse response = await client.AllocateAsync(new AllocateRequest { ContainerRequests = { new ContainerAllocateRequest { DevicesIds = { "hisi_zip-0.q1" } } } });
            ContainerAllocateResponse container = Assert.Single(response.ContainerResponses);
            DeviceSpec node = Assert.Single(container.Devices);
            Assert.Equal((Path.Combine(DeviceDirectory, "hisi_zip-0"), "/dev/hisi_zip-0", "rw"), (node.HostPath, node.ContainerPath, node.Permissions));
            Mount sysfs = Assert.Single(container.Mounts);
            Assert.Equal((SysfsDirectory, "/sys/class/uacce/hisi_zip-0", true), (sysfs.HostPath, sysfs.ContainerPath, sysfs.ReadOnly));
            Assert.Equal("kernel", container.Envs["WD_MODE"]);
            Assert.Equal("hisi_zip-0", container.Envs["WD_DEVICE"]);
            Assert.False(container.Envs.ContainsKey("WD_ALLOCATION")); // the kernel has no per-container limit to hold it to
            Assert.Empty(plugin.Host.Allocations.Entries);

            // Isolated, or its node gone: Unhealthy.
            File.WriteAllText(Path.Combine(SysfsDirectory, "isolate"), "1\n");
            await watch.UntilAsync(l => l.Count == 3 && l.All(u => u.Health == "Unhealthy"), "the isolated device's units are unhealthy");
            File.WriteAllText(Path.Combine(SysfsDirectory, "isolate"), "0\n");
            await watch.UntilAsync(l => l.All(u => u.Health == "Healthy"), "the units are healthy again");
            File.Delete(Path.Combine(DeviceDirectory, "hisi_zip-0"));
            await watch.UntilAsync(l => l.Count == 3 && l.All(u => u.Health == "Unhealthy"), "the units of a device without its node are unhealthy");
        }
    }

    public void Dispose() => _root.Delete(recursive: true);
}
