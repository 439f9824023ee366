using WarpDrive.Abi;

namespace WarpDrive.Tests.Frames;

/// <summary>zstd and LZ4 frames against the reference <c>zstd</c> and <c>lz4</c> tools (Debian packages), both ways: the
/// device's frames (native and managed engines) read by the tools, the tools' frames (their levels, concatenated files,
/// skippable frames) read by the device, and <c>wd compress|decompress -a zstd|lz4</c> on 64 MiB, on bad input (exit
/// 1, one line, no output file) and on the managed engines.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class FrameCliInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-frames-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Formats() => ["zstd", "lz4"];

    private static CompAlgorithm Algorithm(string tool) => tool == "zstd" ? CompAlgorithm.Zstd : CompAlgorithm.Lz4;

    private static byte[][] Inputs() => [[], [7], TestData.Text(1 << 20, 11), TestData.Random(300_000, 12)];

    private static byte[] Tool(string tool, string args, byte[] input) => CliRunner.PipeAsync(tool, args, input).GetAwaiter().GetResult();

    private string Put(string name, byte[] data)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void TheReferenceToolReadsTheDevicesFrames(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        string tool = algorithm == CompAlgorithm.Zstd ? "zstd" : "lz4";
        foreach (byte[] input in Inputs())
        {
            foreach (int level in algorithm == CompAlgorithm.Zstd ? new[] { 1, 3, 19, -5 } : new[] { 1, 9, -3 })
            {
                Assert.Equal(input, Tool(tool, "-dc", device.Compress(algorithm, level, input)));
            }
        }
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void TheDeviceReadsTheReferenceToolsFrames(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        string[] settings = algorithm == CompAlgorithm.Zstd
            ? ["-1 -c", "-19 -c", "--fast=5 -c", "-3 --no-check -c", "-1 --content-size -c"]
            : ["-1 -c", "-9 -c", "-12 -c", "--fast=4 -c", "-1 -BD -c", "-1 -BX --no-frame-crc -c", "-1 --content-size -c"];
        foreach (byte[] input in Inputs())
        {
            foreach (string args in settings)
            {
                byte[] packed = input.Length == 0 && args.Contains("content-size", StringComparison.Ordinal)
                    ? Tool(algorithm == CompAlgorithm.Zstd ? "zstd" : "lz4", args.Replace("--content-size ", "", StringComparison.Ordinal), input)
                    : Tool(algorithm == CompAlgorithm.Zstd ? "zstd" : "lz4", args, input);
                Assert.Equal(input, device.Decompress(algorithm, packed, input.Length + 16));
            }
        }
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void ConcatenatedToolFilesAndSkippableFramesReadAsOneStream(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        string tool = algorithm == CompAlgorithm.Zstd ? "zstd" : "lz4";
        byte[] a = TestData.Text(200_000, 13), b = TestData.Random(70_000, 14);
        byte[] skippable = FrameDeviceTests.Skippable(0x184D2A53, 100);
        byte[] input = [.. Tool(tool, "-3 -c", a), .. skippable, .. Tool(tool, "-1 -c", b), .. skippable];
        Assert.Equal([.. a, .. b], device.Decompress(algorithm, input, a.Length + b.Length));
        Assert.Equal([.. a, .. b], Tool(tool, "-dc", input)); // the same input, as the tool reads it
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void WdCompressAndDecompressInteroperateWithTheToolOn64MiB(string tool)
    {
        byte[] data = [.. TestData.Text(48 << 20, 15), .. TestData.Random(16 << 20, 16)];
        string input = Put("big", data);
        var ours = CliRunner.Wd($"compress -a {tool} -o '{input}.wd' '{input}'");
        Assert.True(ours.Code == 0, ours.Stderr);
        var theirs = CliRunner.Run(tool, $"-q -d -c '{input}.wd'", stdoutFile: input + ".back");
        Assert.True(theirs.Code == 0, theirs.Stderr);
        Assert.True(data.AsSpan().SequenceEqual(File.ReadAllBytes(input + ".back")), $"{tool} -d did not give back the input");

        Assert.Equal(0, CliRunner.Run(tool, $"-q -1 -c '{input}'", stdoutFile: input + ".ref").Code);
        var back = CliRunner.Wd($"decompress -a {tool} -o '{input}.out' '{input}.ref'");
        Assert.True(back.Code == 0, back.Stderr);
        Assert.True(data.AsSpan().SequenceEqual(File.ReadAllBytes(input + ".out")), $"wd decompress -a {tool} did not give back the input");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void TruncatedOrCorruptInputExitsOneWithOneLineAndNoOutputFile(string tool)
    {
        byte[] data = TestData.Text(500_000, 17);
        byte[] packed = Tool(tool, "-3 -c", data);
        byte[] corrupt = (byte[])packed.Clone();
        corrupt[packed.Length / 2] ^= 0x55;
        foreach ((string name, byte[] bad) in new[] { ("truncated", packed[..(packed.Length - 10)]), ("corrupt", corrupt), ("empty", []), ("text", data[..1000]) })
        {
            string input = Put(name, bad), output = Path.Combine(_dir, name + ".out");
            var r = CliRunner.Wd($"decompress -a {tool} -o '{output}' '{input}'");
            Assert.True(r.Code == 1, $"{name}: exit {r.Code}: {r.Stderr}");
            Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("wd: ", r.Stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(output), $"{name}: an output file was left");
            Assert.Equal([name, name + ".out"], Directory.GetFiles(_dir).Select(Path.GetFileName).Where(f => f!.StartsWith(name, StringComparison.Ordinal)).Append(name + ".out").Order());
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void TheManagedEnginesServeWdWhereTheLibrariesAreOff(string tool)
    {
        var off = new Dictionary<string, string> { ["WD_DISABLE_LIBZSTD"] = "1", ["WD_DISABLE_LIBLZ4"] = "1" };
        var list = CliRunner.Wd("list", env: off);
        Assert.Contains("zstdsharp,k4os", list.Stdout, StringComparison.Ordinal);
        byte[] data = TestData.Text(3 << 20, 18);
        string input = Put("m", data);
        var r = CliRunner.Wd($"compress -a {tool} -l 9 -o '{input}.x' '{input}'", env: off);
        Assert.True(r.Code == 0, r.Stderr);
        Assert.Equal(data, Tool(tool, "-dc", File.ReadAllBytes(input + ".x")));
        var back = CliRunner.Wd($"decompress -a {tool} '{input}.x'", stdoutFile: input + ".y", env: off);
        Assert.True(back.Code == 0, back.Stderr);
        Assert.Equal(data, File.ReadAllBytes(input + ".y"));
    }

    [Fact]
    public void WdListShowsTheNativeFrameEngines()
    {
        if (FrameDevice.All().Count < 2)
        {
            return;
        }

        Assert.Contains(",libzstd,liblz4", CliRunner.Wd("list").Stdout, StringComparison.Ordinal);
    }
}
