using System.Diagnostics;
using WarpDrive.Abi;
using WarpDrive.Broker;
using WarpDrive.Discovery;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Broker;

[Trait(Tiers.Name, Tiers.Integration)]
public sealed class AttributeTreeTests : IDisposable
{
    private const UnixFileMode Mode0444 = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode Mode0644 = Mode0444 | UnixFileMode.UserWrite;
    private const UnixFileMode Mode0755 = Mode0444 | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static readonly HashSet<string> s_writable = [DeviceAttributeNames.IsolateStrategy];

    private readonly string _run = Directory.CreateTempSubdirectory("wd-attr-").FullName;
    private readonly string _class;
    private readonly AttributeTree _tree;

    public AttributeTreeTests()
    {
        _class = RunDirectory.ClassDirectory(_run);
        _tree = new AttributeTree(_class);
    }

    public void Dispose()
    {
        foreach (string dir in Directory.EnumerateDirectories(_run, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(dir, Mode0755); // a test may have made one unreadable
        }

        Directory.Delete(_run, recursive: true);
    }

    private static Dictionary<string, string> Attributes(string available = "16", string isolateStrategy = "0") => new()
    {
        [DeviceAttributeNames.Api] = "wd_ring_v1",
        [DeviceAttributeNames.Flags] = "SVA SHARE",
        [DeviceAttributeNames.Algorithms] = "deflate zlib gzip",
        [DeviceAttributeNames.AvailableInstances] = available,
        [DeviceAttributeNames.Isolate] = "0",
        [DeviceAttributeNames.IsolateStrategy] = isolateStrategy,
        [DeviceAttributeNames.NumaNode] = "-1",
        [DeviceAttributeNames.RegionMmioSize] = "4096",
        [DeviceAttributeNames.RegionDusSize] = "24576",
        ["engine"] = "isal",
    };

    private string FileOf(string device, string name) => Path.Combine(_class, device, name);

    [Fact]
    public void WriterAndReaderRoundTrip()
    {
        _tree.Publish("zip-1", Attributes("4"), s_writable);
        _tree.Publish("zip-0", Attributes(), s_writable);

        IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> devices = UacceAttributeReader.ReadAll(_class);
        Assert.Equal(["zip-0", "zip-1"], devices.Select(d => d.Name));
        Assert.Equal(Attributes().OrderBy(kv => kv.Key), devices[0].Attributes.OrderBy(kv => kv.Key));
        Assert.Equal("4", devices[1].Attributes[DeviceAttributeNames.AvailableInstances]);
        Assert.Equal("wd_ring_v1\n", File.ReadAllText(FileOf("zip-0", "api")));
        Assert.Equal("deflate zlib gzip\n", File.ReadAllText(FileOf("zip-0", "algorithms")));
    }

    [Fact]
    public void ModesAreSysfsLike()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        Assert.Equal(Mode0755, File.GetUnixFileMode(Path.Combine(_class, "zip-0")));
        Assert.Equal(Mode0444, File.GetUnixFileMode(FileOf("zip-0", "api")));
        Assert.Equal(Mode0444, File.GetUnixFileMode(FileOf("zip-0", "available_instances")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(FileOf("zip-0", "isolate_strategy")));

        _tree.Update("zip-0", "available_instances", "3");
        _tree.Update("zip-0", "isolate_strategy", "9");
        Assert.Equal(Mode0444, File.GetUnixFileMode(FileOf("zip-0", "available_instances")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(FileOf("zip-0", "isolate_strategy")));

        // Republished with nothing writable: the mode follows even though the content did not change.
        _tree.Publish("zip-0", Attributes("3", "9"), new HashSet<string>());
        Assert.Equal(Mode0444, File.GetUnixFileMode(FileOf("zip-0", "isolate_strategy")));
    }

    [Fact]
    public void UpdateIsAtomicAndLeavesNoTemporaryFile()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        for (int i = 0; i < 20; i++)
        {
            _tree.Update("zip-0", DeviceAttributeNames.AvailableInstances, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal("19\n", File.ReadAllText(FileOf("zip-0", "available_instances")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_class, "zip-0"), "*.tmp*", new EnumerationOptions { AttributesToSkip = 0 }));
        Assert.Equal(Attributes().Count, Directory.GetFiles(Path.Combine(_class, "zip-0")).Length);
    }

    [Fact]
    public async Task ConcurrentReadersNeverSeeAPartialValue()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        string a = new('a', 3000), b = new('b', 3000);
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                _tree.Update("zip-0", "engine", i % 2 == 0 ? a : b);
            }
        });
        var deadline = Stopwatch.StartNew();
        int reads = 0;
        while (deadline.ElapsedMilliseconds < 300)
        {
            foreach ((string _, IReadOnlyDictionary<string, string> attributes) in UacceAttributeReader.ReadAll(_class))
            {
                string value = attributes["engine"];
                Assert.True(value == a || value == b || value == "isal", $"torn value of length {value.Length}");
                reads++;
            }
        }

        await stop.CancelAsync();
        await writer;
        Assert.True(reads > 0);
    }

    [Fact]
    public void StaleAttributesAndTemporaryFilesAreRemoved()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        File.WriteAllText(FileOf("zip-0", "engine.tmp-99999"), "leftover");
        Dictionary<string, string> fewer = Attributes();
        fewer.Remove("engine");
        fewer.Remove(DeviceAttributeNames.NumaNode);
        _tree.Publish("zip-0", fewer, s_writable);

        Assert.False(File.Exists(FileOf("zip-0", "engine")));
        Assert.False(File.Exists(FileOf("zip-0", "numa_node")));
        Assert.False(File.Exists(FileOf("zip-0", "engine.tmp-99999")));
        Assert.Equal(fewer.Keys.Order(), UacceAttributeReader.ReadAll(_class).Single().Attributes.Keys.Order());
        Assert.Throws<ArgumentException>(() => _tree.Update("zip-0", "engine", "isal"));
    }

    [Fact]
    public void UnchangedValueIsNotRewritten()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        string path = FileOf("zip-0", "available_instances");
        var past = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, past);
        File.SetLastWriteTimeUtc(FileOf("zip-0", "api"), past);

        _tree.Update("zip-0", "available_instances", "16");
        _tree.Publish("zip-0", Attributes(), s_writable);
        Assert.Equal(past, File.GetLastWriteTimeUtc(path));
        Assert.Equal(past, File.GetLastWriteTimeUtc(FileOf("zip-0", "api")));

        _tree.Update("zip-0", "available_instances", "15");
        Assert.NotEqual(past, File.GetLastWriteTimeUtc(path));
        Assert.Equal(past, File.GetLastWriteTimeUtc(FileOf("zip-0", "api")));
    }

    [Fact]
    public void OperatorWritesAreReadBackTrimmed()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        Assert.Equal("0", _tree.ReadWritable("zip-0", "isolate_strategy"));
        File.WriteAllText(FileOf("zip-0", "isolate_strategy"), "5\n"); // echo 5 > isolate_strategy
        Assert.Equal("5", _tree.ReadWritable("zip-0", "isolate_strategy"));
        File.WriteAllText(FileOf("zip-0", "isolate_strategy"), "  7 \n\n");
        Assert.Equal("7", _tree.ReadWritable("zip-0", "isolate_strategy"));
        Assert.Null(_tree.ReadWritable("zip-0", "no_such"));
        Assert.Null(_tree.ReadWritable("zip-9", "isolate_strategy"));

        // The broker acknowledges the operator's value: same content, nothing rewritten, mode kept.
        _tree.Update("zip-0", "isolate_strategy", "7");
        Assert.Equal("7\n", File.ReadAllText(FileOf("zip-0", "isolate_strategy")));
        Assert.Equal(Mode0644, File.GetUnixFileMode(FileOf("zip-0", "isolate_strategy")));
    }

    [Fact]
    public void RemoveDeletesTheDevice()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        _tree.Publish("zip-1", Attributes(), s_writable);
        _tree.Remove("zip-0");
        _tree.Remove("zip-0");
        Assert.False(Directory.Exists(Path.Combine(_class, "zip-0")));
        Assert.Equal(["zip-1"], UacceAttributeReader.ReadAll(_class).Select(d => d.Name));
        Assert.Throws<InvalidOperationException>(() => _tree.Update("zip-0", "available_instances", "1"));
    }

    [Fact]
    public void UpdateRecreatesADeletedDeviceDirectory()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        Directory.Delete(Path.Combine(_class, "zip-0"), recursive: true);
        _tree.Update("zip-0", "available_instances", "2");
        Assert.Equal("2\n", File.ReadAllText(FileOf("zip-0", "available_instances")));
    }

    [Theory]
    [InlineData("", "api")]
    [InlineData("../x", "api")]
    [InlineData(".hidden", "api")]
    [InlineData("zip-0", "")]
    [InlineData("zip-0", "../api")]
    [InlineData("zip-0", "Api")]
    [InlineData("zip-0", "api.tmp")]
    public void BadNamesAreRefused(string device, string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => _tree.Publish(device, new Dictionary<string, string> { [name] = "1" }, new HashSet<string>()));
    }

    [Fact]
    public void WritableMustBeAnAttribute()
    {
        Assert.Throws<ArgumentException>(() => _tree.Publish("zip-0", new Dictionary<string, string> { ["api"] = "x" }, s_writable));
    }

    [Fact]
    public void ReaderOfAMissingDirectoryIsEmpty()
    {
        Assert.Empty(UacceAttributeReader.ReadAll(Path.Combine(_run, "nothing", "here")));
        Assert.Empty(UacceAttributeReader.ReadAll(_class));
    }

    [Fact]
    public void ReaderTakesOnlyAttributeFiles()
    {
        _tree.Publish("zip-0", new Dictionary<string, string> { ["api"] = "wd_ring_v1" }, new HashSet<string>());
        string dir = Path.Combine(_class, "zip-0");
        File.WriteAllText(Path.Combine(dir, "uevent"), "MAJOR=240\nMINOR=0\n");
        File.WriteAllText(Path.Combine(dir, "Power"), "x");
        File.WriteAllText(Path.Combine(dir, "api.tmp-12"), "x");
        File.WriteAllText(Path.Combine(dir, ".hidden"), "x");
        File.WriteAllText(Path.Combine(dir, "region2"), "x");
        File.WriteAllText(Path.Combine(dir, "empty"), "");
        File.WriteAllText(Path.Combine(dir, "big"), new string('x', 100_000));
        File.WriteAllText(Path.Combine(_run, "target"), "linked");
        File.CreateSymbolicLink(Path.Combine(dir, "subsystem"), Path.Combine(_run, "target"));
        Directory.CreateDirectory(Path.Combine(dir, "power"));
        File.WriteAllText(Path.Combine(_class, "not_a_device"), "x");

        (string name, IReadOnlyDictionary<string, string> attributes) = Assert.Single(UacceAttributeReader.ReadAll(_class));
        Assert.Equal("zip-0", name);
        Assert.Equal(["api", "uevent"], attributes.Keys.Order());
        Assert.Equal("MAJOR=240\nMINOR=0", attributes["uevent"]);
    }

    [Fact]
    public void ReaderFollowsDeviceSymlinksLikeSysClass()
    {
        string devices = Path.Combine(_run, "devices");
        var real = new AttributeTree(devices);
        real.Publish("hisi_zip-0", new Dictionary<string, string> { ["api"] = "hisi_qm_v2", ["flags"] = "1" }, new HashSet<string>());
        string sysClass = Path.Combine(_run, "sys-class-uacce");
        Directory.CreateDirectory(sysClass);
        Directory.CreateSymbolicLink(Path.Combine(sysClass, "hisi_zip-0"), Path.Combine(devices, "hisi_zip-0"));
        Directory.CreateSymbolicLink(Path.Combine(sysClass, "dangling-0"), Path.Combine(devices, "gone"));

        (string name, IReadOnlyDictionary<string, string> attributes) = Assert.Single(UacceAttributeReader.ReadAll(sysClass));
        Assert.Equal("hisi_zip-0", name);
        Assert.Equal("hisi_qm_v2", attributes["api"]);
        Assert.Equal("1", attributes["flags"]);
    }

    [Fact]
    public void ReaderSkipsUnreadableFilesAndDirectories()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        _tree.Publish("zip-1", Attributes(), s_writable);
        File.SetUnixFileMode(FileOf("zip-0", "api"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(_class, "zip-1"), UnixFileMode.None);

        IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> devices = UacceAttributeReader.ReadAll(_class);
        if (!Environment.IsPrivilegedProcess) // root reads anyway
        {
            Assert.DoesNotContain("api", devices.Single(d => d.Name == "zip-0").Attributes.Keys);
            Assert.Empty(devices.Where(d => d.Name == "zip-1").SelectMany(d => d.Attributes));
        }

        Assert.Equal("16", devices.Single(d => d.Name == "zip-0").Attributes["available_instances"]);
    }

    [Fact]
    public async Task ReaderDoesNotBlockOnAFifo()
    {
        _tree.Publish("zip-0", Attributes(), s_writable);
        using (Process mkfifo = Process.Start("mkfifo", FileOf("zip-0", "pipe")))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        Task<IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)>> read = Task.Run(() => UacceAttributeReader.ReadAll(_class));
        IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> devices = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("pipe", devices.Single().Attributes.Keys);
    }

    [Fact]
    public async Task DevicesVanishingWhileReadNeverThrow()
    {
        using var stop = new CancellationTokenSource();
        Task churn = Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                string device = $"zip-{i % 4}";
                _tree.Publish(device, Attributes(), s_writable);
                _tree.Remove(device);
                if (i % 3 == 0)
                {
                    // Behind the tree's back too: files and the directory go while a reader walks them.
                    string dir = Path.Combine(_class, "zip-9");
                    Directory.CreateDirectory(dir);
                    File.WriteAllText(Path.Combine(dir, "api"), "x\n");
                    Directory.Delete(dir, recursive: true);
                }
            }
        });

        var watch = Stopwatch.StartNew();
        int reads = 0;
        while (watch.ElapsedMilliseconds < 500)
        {
            foreach ((string name, IReadOnlyDictionary<string, string> attributes) in UacceAttributeReader.ReadAll(_class))
            {
                Assert.Matches("^zip-[0-9]$", name);
                Assert.All(attributes.Values, v => Assert.False(v.EndsWith('\n')));
            }

            reads++;
        }

        await stop.CancelAsync();
        await churn;
        Assert.True(reads > 10);
    }
}
