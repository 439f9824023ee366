using WarpDrive.Devices;
using WarpDrive.Devices.Engines;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Discovery;

/// <summary>The embedded default: device models running inside this process, sharing its address space.
/// This is the one place where libwd starts device models.</summary>
internal sealed class InProcessDevices : IDeviceProvider
{
    public const string Location = "in-process";

    private readonly Domain _domain = new();
    private readonly DeviceHost[] _hosts;

    public InProcessDevices(DeviceHostOptions? options = null, string? zipEngine = null)
    {
        DeflateEngine engine = zipEngine?.ToLowerInvariant() switch
        {
            null or "" => DeflateEngine.Best,
            "zlib-ng" => DeflateEngine.ZlibNg,
            "isal" => DeflateEngine.Isal ?? throw new WdException("the ISA-L engine was asked for but libisal.so.2 is not installed (apt-get install libisal2)"),
            _ => throw new ArgumentException($"unknown ZIP engine '{zipEngine}' (isal or zlib-ng)", nameof(zipEngine)),
        };
        _hosts = [new DeviceHost(new ZipDevice("zip-0", engine), options)];
    }

    internal IReadOnlyList<DeviceHost> Hosts => _hosts;

    public IReadOnlyList<WdDeviceInfo> GetDevices() =>
        _hosts.Select(h => new WdDeviceInfo(h.Name, Location, h.GetAttributes())).ToArray();

    public QueueTransport? TryOpenQueue(string deviceName)
    {
        DeviceHost? host = _hosts.FirstOrDefault(h => h.Name == deviceName);
        HardwareQueue? queue = host?.TryAllocateQueue(_domain);
        return queue is null ? null : new Transport(this, host!, queue);
    }

    public void Dispose()
    {
        foreach (DeviceHost host in _hosts)
        {
            host.Dispose();
        }
    }

    private sealed class Transport(InProcessDevices owner, DeviceHost host, HardwareQueue queue) : QueueTransport
    {
        private int _released;

        public override WdDeviceInfo Device { get; } = new(host.Name, Location, host.GetAttributes());

        public override nint RegionBase => queue.RegionBase;

        public override int RegionSize => queue.RegionSize;

        public override void RingDoorbell() => queue.Ring();

        public override int Share(nint address, long length) => owner._domain.Share(address, length);

        public override void Unshare(int handle) => owner._domain.Unshare(handle);

        public override void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                host.ReleaseQueue(queue);
            }
        }
    }
}
