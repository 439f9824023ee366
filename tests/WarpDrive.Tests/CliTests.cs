using System.Diagnostics;
using System.IO.Compression;

namespace WarpDrive.Tests;

/// <summary>The real <c>wd</c> executable against the real gzip and python3 zlib.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (int Code, string Stdout, string Stderr) Run(string file, string args, string? stdinFile = null, string? stdoutFile = null, Dictionary<string, string>? env = null) =>
        CliRunner.Run(file, args, stdinFile, stdoutFile, env);

    private static (int Code, string Stdout, string Stderr) Wd(string args, string? stdinFile = null, string? stdoutFile = null, Dictionary<string, string>? env = null) =>
        CliRunner.Wd(args, stdinFile, stdoutFile, env);

    public static TheoryData<string, int> Inputs() => new()
    {
        { "empty", 0 }, { "one", 1 }, { "text", 64 << 20 }, { "random", 64 << 20 },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void CompressedGzipIsReadByGzip(string kind, int size)
    {
        string input = PathOf(kind);
        File.WriteAllBytes(input, kind == "random" ? TestData.Random(size) : TestData.Text(size));
        (int code, _, string err) = Wd($"compress -a gzip '{input}' -o '{input}.gz'");
        Assert.True(code == 0, err);
        (code, _, err) = Run("gzip", $"-dc '{input}.gz'", stdoutFile: input + ".out");
        Assert.True(code == 0, err);
        Assert.True(File.ReadAllBytes(input).AsSpan().SequenceEqual(File.ReadAllBytes(input + ".out")));
    }

    [Fact]
    public void GzipFilesAndConcatenatedMembersDecompress()
    {
        byte[] a = TestData.Text(3 << 20, 5), b = TestData.Random(100_000, 6);
        File.WriteAllBytes(PathOf("a"), a);
        File.WriteAllBytes(PathOf("b"), b);
        Assert.Equal(0, Run("gzip", $"-9c '{PathOf("a")}'", stdoutFile: PathOf("a9.gz")).Code);
        Assert.Equal(0, Run("gzip", $"-1c '{PathOf("b")}'", stdoutFile: PathOf("b1.gz")).Code);
        File.WriteAllBytes(PathOf("ab.gz"), [.. File.ReadAllBytes(PathOf("a9.gz")), .. File.ReadAllBytes(PathOf("b1.gz"))]);

        Assert.Equal(0, Wd($"decompress '{PathOf("a9.gz")}' -o '{PathOf("a.out")}'").Code);
        Assert.Equal(a, File.ReadAllBytes(PathOf("a.out")));
        Assert.Equal(0, Wd($"decompress -a gzip -o '{PathOf("b.out")}'", stdinFile: PathOf("b1.gz")).Code);
        Assert.Equal(b, File.ReadAllBytes(PathOf("b.out")));
        Assert.Equal(0, Wd("decompress", stdinFile: PathOf("ab.gz"), stdoutFile: PathOf("ab.out")).Code);
        Assert.Equal([.. a, .. b], File.ReadAllBytes(PathOf("ab.out")));
    }

    [Theory]
    [InlineData("zlib", "15")]
    [InlineData("deflate", "-15")]
    public void PythonZlibReadsOursAndWeReadPythons(string algorithm, string wbits)
    {
        byte[] text = TestData.Text(1 << 20);
        File.WriteAllBytes(PathOf("t"), text);
        Assert.Equal(0, Wd($"compress -a {algorithm} -l 9 '{PathOf("t")}' -o '{PathOf("t.z")}'").Code);
        string script =
            $"import zlib; d=open('{PathOf("t.z")}','rb').read(); t=open('{PathOf("t")}','rb').read(); assert zlib.decompress(d, {wbits})==t; " +
            $"c=zlib.compressobj(9, zlib.DEFLATED, {wbits}); open('{PathOf("p.z")}','wb').write(c.compress(t)+c.flush())";
        (int code, _, string err) = Run("python3", $"-c \"{script}\"");
        Assert.True(code == 0, err);
        Assert.Equal(0, Wd($"decompress -a {algorithm} '{PathOf("p.z")}' -o '{PathOf("p.out")}'").Code);
        Assert.Equal(text, File.ReadAllBytes(PathOf("p.out")));
    }

    [Theory]
    [InlineData("truncated", "truncated")]
    [InlineData("corrupt", "corrupt")]
    [InlineData("notgzip", "invalid header")]
    public void BadInputExitsOneWithOneLineAndNoOutputFile(string kind, string words)
    {
        // Several of wd's 1 MiB blocks: the error comes while an earlier block's output is still being written.
        byte[] text = TestData.Text(8 << 20);
        var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(text);
        }

        byte[] gz = ms.ToArray();
        byte[] bad = kind switch
        {
            "truncated" => gz[..(gz.Length / 2)],
            "corrupt" => [.. gz[..^8], .. new byte[] { 1, 2, 3, 4 }, .. gz[^4..]],
            _ => text,
        };
        File.WriteAllBytes(PathOf("bad.gz"), bad);
        (int code, string stdout, string stderr) = Wd($"decompress '{PathOf("bad.gz")}' -o '{PathOf("bad.out")}'");
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(words, stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal("", stdout);
        Assert.Empty(Directory.GetFiles(_dir, "*bad.out*", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void ExitCodesAreDistinct()
    {
        File.WriteAllText(PathOf("t"), "hello");
        Assert.Equal(2, Wd($"compress -l 10 '{PathOf("t")}' -o '{PathOf("x")}'").Code);
        (int soonCode, _, string soonError) = Wd($"compress -l soon '{PathOf("t")}' -o '{PathOf("x")}'");
        Assert.Equal(2, soonCode); // a level that is not a number is a usage error, not a crash
        Assert.Contains("soon", soonError);
        Assert.Equal(2, Wd($"compress -a brotli '{PathOf("t")}' -o '{PathOf("x")}'").Code);
        Assert.Equal(2, Wd("frobnicate").Code);
        (int code, _, string err) = Wd($"decompress '{PathOf("missing.gz")}'");
        Assert.Equal(4, code);
        Assert.Contains("missing.gz", err);
        Assert.Equal(3, Wd($"compress '{PathOf("t")}' -o '{PathOf("x")}'", env: new() { ["WD_EMBEDDED"] = "0" }).Code);
        Assert.False(File.Exists(PathOf("x")));
    }

    [Theory]
    [InlineData("list -Z")]
    [InlineData("compress -Z t")]
    [InlineData("compress -9 t")]
    [InlineData("compress -d t")] // -d was --device: now only the long name is
    [InlineData("decompress -k t")]
    [InlineData("gzip -Z t")]
    [InlineData("gunzip --frobnicate t")]
    [InlineData("digest -Z t")]
    [InlineData("cipher -a aes-128-cbc -e --key-file t -Z t")]
    [InlineData("rsa sign --key t -Z t")]
    [InlineData("top -Z")]
    [InlineData("bench -Z")]
    [InlineData("daemon -Z")]
    public void UnknownOptionsAreUsageErrorsNeverFileNames(string args)
    {
        File.WriteAllText(PathOf("t"), "hello");
        (int code, string stdout, string stderr) = Run($"cd '{_dir}' && dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}'", args);
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string option = args.Split(' ').First(a => a.StartsWith('-') && a is not ("-a" or "-e" or "--key-file" or "--key"));
        Assert.Contains($"'{option}'", stderr.Split('\n')[0]);
        Assert.Equal(["t"], Directory.GetFiles(_dir).Select(Path.GetFileName)); // no output of any name
    }

    [Fact]
    public void DeviceHasOnlyItsLongName()
    {
        File.WriteAllText(PathOf("t"), "hello");
        Assert.Equal(0, Wd($"compress --device zip-0 '{PathOf("t")}' -o '{PathOf("t.gz")}'").Code);
        (int code, _, string err) = Wd($"compress -d zip-0 '{PathOf("t")}' -o '{PathOf("u.gz")}'");
        Assert.Equal(2, code);
        Assert.Contains("unrecognized option '-d'", err);
        Assert.False(File.Exists(PathOf("u.gz")));
    }

    [Fact]
    public void OutputDashIsStandardOutputAndTheInputIsNeverTheOutput()
    {
        byte[] text = TestData.Text(100_000);
        File.WriteAllBytes(PathOf("t"), text);
        (int code, _, string err) = Run($"cd '{_dir}' && dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}'", "compress t -o -", stdoutFile: PathOf("t.gz"));
        Assert.True(code == 0, err);
        Assert.False(File.Exists(PathOf("-")));
        Assert.Equal(0, Run("gzip", $"-dc '{PathOf("t.gz")}'", stdoutFile: PathOf("t.out")).Code);
        Assert.Equal(text, File.ReadAllBytes(PathOf("t.out")));

        (code, _, err) = Wd($"compress '{PathOf("t")}' -o '{PathOf("t")}'");
        Assert.Equal(2, code);
        Assert.Contains("replace the input", err);
        Assert.Equal(text, File.ReadAllBytes(PathOf("t"))); // not replaced by its own gzip
        Assert.Equal(2, Wd($"decompress '{PathOf("t.gz")}' -o '{PathOf("t.gz")}'").Code);
        Assert.Equal(0, Run("gzip", $"-t '{PathOf("t.gz")}'").Code);
    }

    [Fact]
    public void NamedInputsThatCannotSeekWork()
    {
        byte[] text = TestData.Text(300_000);
        File.WriteAllBytes(PathOf("t"), text);
        (int code, _, string err) = Run("cat", $"'{PathOf("t")}' | dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}' compress /dev/stdin -o '{PathOf("t.gz")}'");
        Assert.True(code == 0, err);
        Assert.Equal(0, Run("gzip", $"-dc '{PathOf("t.gz")}'", stdoutFile: PathOf("t.out")).Code);
        Assert.Equal(text, File.ReadAllBytes(PathOf("t.out")));
    }

    [Fact]
    public void EmptyCompressedInputIsADataError()
    {
        File.WriteAllBytes(PathOf("empty.gz"), []);
        (int code, _, string err) = Wd($"decompress '{PathOf("empty.gz")}' -o '{PathOf("empty.out")}'");
        Assert.Equal(1, code);
        Assert.Contains("empty input", err);
        Assert.False(File.Exists(PathOf("empty.out")));
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void ASignalLeavesNoOutputBehind(string signal)
    {
        // A test run started as a background job of a non-interactive shell ignores SIGINT, and every child inherits
        // that (exec keeps an ignored signal ignored): wd would never see the signal. perl puts the default back first.
        var psi = new ProcessStartInfo(SignalIgnored(2) ? "perl" : "dotnet") { RedirectStandardInput = true, RedirectStandardError = true };
        if (psi.FileName == "perl")
        {
            foreach (string arg in (string[])["-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die", "dotnet"])
            {
                psi.ArgumentList.Add(arg);
            }
        }

        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wd.dll"));
        psi.ArgumentList.Add("compress");
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add(PathOf("out.gz"));

        // The event to wait for: wd creates its temporary output only once its signal handlers are installed
        // (FileJob: PendingOutput.WatchSignals, then PendingOutput.Create), so the signal is sent after it appears,
        // however long a loaded machine takes to start wd. The bounds below only end a hang; they set no pace.
        TimeSpan hang = TimeSpan.FromMinutes(3);
        using var started = new ManualResetEventSlim();
        using var watcher = new FileSystemWatcher(_dir, ".out.gz.wd-*");
        watcher.Created += (_, _) => started.Set();
        watcher.EnableRaisingEvents = true; // before wd starts: its creation cannot be missed
        using Process p = Process.Start(psi)!;
        p.StandardInput.BaseStream.Write(TestData.Text(100_000)); // stdin stays open: wd waits for more
        p.StandardInput.BaseStream.Flush();
        Assert.True(started.Wait(hang) || Directory.GetFiles(_dir, ".out.gz.wd-*").Length > 0,
            $"wd made no temporary output within {hang.TotalMinutes} minutes (exited: {p.HasExited})");
        Assert.NotEmpty(Directory.GetFiles(_dir, ".out.gz.wd-*")); // the temporary output exists while it runs
        using (Process kill = Process.Start("kill", $"-{signal} {p.Id}"))
        {
            kill.WaitForExit();
        }

        Assert.True(p.WaitForExit(hang), "wd did not end on the signal");
        Assert.NotEqual(0, p.ExitCode);
        Assert.Empty(Directory.GetFiles(_dir, "*out.gz*"));
    }

    /// <summary>Whether this process ignores signal <paramref name="number"/> (the SigIgn mask of /proc/self/status).</summary>
    private static bool SignalIgnored(int number)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong mask = ulong.Parse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return (mask & (1UL << (number - 1))) != 0;
    }

    [Fact]
    public void ListShowsTheEmbeddedZipDevice()
    {
        (int code, string stdout, _) = Wd("list --json");
        Assert.Equal(0, code);
        Assert.Contains("\"name\": \"zip-0\"", stdout);
        Assert.Contains("\"api\": \"wd_ring_v1\"", stdout);
        Assert.Contains("\"available_instances\"", stdout);
        Assert.Contains("\"algorithms\": \"deflate zlib gzip zstd lz4\"", stdout);
    }
}
