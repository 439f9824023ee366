using System.Globalization;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.TestSupport.HisiQm;

/// <summary>A model of a HiSilicon QM device and its kernel driver (uacce with hisi_qm v2), for running libwd's
/// hisi_qm drivers without the hardware. It publishes itself as a uacce device in a sysfs tree and a /dev directory the
/// caller names, and each <see cref="Open"/> of its node is a <see cref="HisiQmModelQueue"/> that answers the same
/// ioctls, maps the same regions and reads the same SQEs as the kernel and the hardware do (docs/HARDWARE.md, "The
/// device model"). What an SQE means is the engine's (<see cref="CreateEngine"/>): ZIP or SEC.</summary>
public abstract class HisiQmModel : IDisposable
{
    /// <summary>Size of a queue's MMIO region (<c>region_mmio_size</c>): the doorbell page(s).</summary>
    public const int MmioSize = 8192;

    private const int Ebusy = 16;
    private const int MaxQueues = 1024; // the doorbell's queue number has 10 bits
    private const int MaxDepth = 1024;
    private const string PciDevice = "0000:75:00.0";

    private readonly object _gate = new();
    private readonly HisiQmModelQueue?[] _queues;
    private readonly string _algorithms;
    private readonly int _numaNode;
    private string? _classDirectory;
    private string? _nodePath;
    private bool _disposed;

    /// <summary>Makes a device named <paramref name="name"/> (its sysfs and /dev name) whose SQEs are
    /// <paramref name="sqeSize"/> bytes and whose <c>algorithms</c> attribute lists <paramref name="algorithms"/>.</summary>
    /// <exception cref="ArgumentException">A name that is empty or has a '/'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A queue count outside 1-1024, or a depth that is not a power of
    /// two from 2 to 1024.</exception>
    private protected HisiQmModel(string name, HisiQmModelOptions? options, int sqeSize, IEnumerable<string> algorithms)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new ArgumentException($"'{name}' cannot be a device name", nameof(name));
        }

        options ??= new HisiQmModelOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCount, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.QueueCount, MaxQueues, nameof(options));
        if (options.Depth is < 2 or > MaxDepth || !int.IsPow2(options.Depth))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Depth, "the depth must be a power of two from 2 to 1024");
        }

        Name = name;
        Depth = options.Depth;
        SupportsQpInfo = options.SupportsQpInfo;
        SqeSize = sqeSize;
        _algorithms = string.Concat(algorithms.Select(a => a + "\n"));
        _numaNode = options.NumaNode;
        _queues = new HisiQmModelQueue?[options.QueueCount];
        long page = Environment.SystemPageSize;
        long queues = ((long)sqeSize * Depth) + ((long)HisiQmCqe.Size * Depth);
        DusSize = ((queues + page - 1) / page * page) + page;
    }

    /// <summary>The device's name (<c>hisi_zip-0</c>, <c>hisi_sec2-0</c>).</summary>
    public string Name { get; }

    /// <summary>Entries in each queue's SQ and CQ.</summary>
    public int Depth { get; }

    /// <summary>Bytes per SQE (128 for ZIP and SEC).</summary>
    public int SqeSize { get; }

    /// <summary>Size of a queue's DUS region (<c>region_dus_size</c>): the SQ (<see cref="SqeSize"/> × <see cref="Depth"/>) and the CQ
    /// (16 × <see cref="Depth"/>) rounded up to pages, then one page whose last 8 bytes are the status words.</summary>
    public long DusSize { get; }

    /// <summary>Queues not open now (<c>available_instances</c>).</summary>
    public int AvailableInstances
    {
        get
        {
            lock (_gate)
            {
                return CountFree();
            }
        }
    }

    /// <summary>The queues open now, by queue id.</summary>
    public IReadOnlyList<HisiQmModelQueue> OpenQueues
    {
        get
        {
            lock (_gate)
            {
                return [.. _queues.OfType<HisiQmModelQueue>()];
            }
        }
    }

    internal bool SupportsQpInfo { get; }

    /// <summary>The <c>api</c> attribute: <see cref="HisiQmApi.V2"/> (Kunpeng 920) unless a model stands for a later
    /// version.</summary>
    public virtual string Api => HisiQmApi.V2;

    /// <summary>The engine of a queue whose <c>qc_type</c> is <paramref name="qcType"/>.</summary>
    internal abstract IHisiQmEngine CreateEngine(int qcType);

    /// <summary>Writes the device into a sysfs tree and a /dev directory as the kernel shows it:
    /// <c>&lt;class&gt;/&lt;name&gt;/</c> with <c>api</c>, <c>flags</c>, <c>algorithms</c>, <c>available_instances</c>,
    /// <c>isolate</c>, <c>isolate_strategy</c>, <c>region_mmio_size</c>, <c>region_dus_size</c> and <c>device</c> (a
    /// symlink to <c>&lt;class&gt;/../../devices/pci0000:00/0000:75:00.0</c>, which holds <c>numa_node</c>), and the
    /// node <c>&lt;dev&gt;/&lt;name&gt;</c> (an empty file that <see cref="Open"/> stands for <c>open(2)</c> on).</summary>
    public void Publish(string classDirectory, string devDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(classDirectory);
        ArgumentException.ThrowIfNullOrEmpty(devDirectory);
        string directory = Path.Combine(classDirectory, Name);
        string pci = Path.GetFullPath(Path.Combine(classDirectory, "..", "..", "devices", "pci0000:00", PciDevice));
        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(pci);
        Directory.CreateDirectory(devDirectory);
        File.WriteAllText(Path.Combine(pci, "numa_node"), Line(_numaNode));
        string link = Path.Combine(directory, "device");
        if (File.Exists(link) || Directory.Exists(link))
        {
            File.Delete(link);
        }

        File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetFullPath(directory), pci));
        File.WriteAllText(Path.Combine(directory, "api"), Api + "\n");
        File.WriteAllText(Path.Combine(directory, "flags"), Line((long)UacceDeviceFlags.Sva));
        File.WriteAllText(Path.Combine(directory, "algorithms"), _algorithms);
        File.WriteAllText(Path.Combine(directory, "isolate"), Line(0));
        File.WriteAllText(Path.Combine(directory, "isolate_strategy"), Line(0));
        File.WriteAllText(Path.Combine(directory, "region_mmio_size"), Line(MmioSize));
        File.WriteAllText(Path.Combine(directory, "region_dus_size"), Line(DusSize));
        string node = Path.Combine(devDirectory, Name);
        File.WriteAllBytes(node, []);
        lock (_gate)
        {
            _classDirectory = classDirectory;
            _nodePath = Path.GetFullPath(node);
            WriteAvailable();
        }
    }

    /// <summary>Opens a queue, as <c>open(2)</c> on the device node does.</summary>
    /// <param name="path">The node <see cref="Publish"/> wrote (<c>&lt;dev&gt;/&lt;name&gt;</c>).</param>
    /// <exception cref="FileNotFoundException">Not the published node (or nothing published).</exception>
    /// <exception cref="IOException">Every queue is open (<see cref="Exception.HResult"/> 16, EBUSY).</exception>
    /// <exception cref="ObjectDisposedException">The model is disposed.</exception>
    public IUacceQueueFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_nodePath is null || Path.GetFullPath(path) != _nodePath || !File.Exists(path))
            {
                throw new FileNotFoundException($"{path}: No such file or directory", path);
            }

            int free = Array.IndexOf(_queues, null);
            if (free < 0)
            {
                throw new IOException($"{path}: Device or resource busy", Ebusy);
            }

            var queue = new HisiQmModelQueue(this, path, (ushort)free);
            _queues[free] = queue;
            WriteAvailable();
            return queue;
        }
    }

    /// <summary>Stops every open queue (status words 1, no more serving), as a reset or the kernel's error handling
    /// does; the queues stay open until their owners dispose them.</summary>
    public void Stop()
    {
        foreach (HisiQmModelQueue queue in OpenQueues)
        {
            queue.Stop();
        }
    }

    /// <summary>Stops every open queue; opens fail from now on.</summary>
    public void Dispose()
    {
        GC.SuppressFinalize(this);
        lock (_gate)
        {
            _disposed = true;
        }

        Stop();
    }

    /// <summary>A queue's release: its slot is free again.</summary>
    internal void Release(HisiQmModelQueue queue)
    {
        lock (_gate)
        {
            if (_queues[queue.QueueId] == queue)
            {
                _queues[queue.QueueId] = null;
                WriteAvailable();
            }
        }
    }

    private int CountFree() => _queues.Count(q => q is null);

    private void WriteAvailable()
    {
        if (_classDirectory is null)
        {
            return;
        }

        try
        {
            File.WriteAllText(Path.Combine(_classDirectory, Name, "available_instances"), Line(CountFree()));
        }
        catch (DirectoryNotFoundException)
        {
            // The tree was taken down before the queue was released.
        }
    }

    private static string Line(long value) => value.ToString(CultureInfo.InvariantCulture) + "\n";
}
