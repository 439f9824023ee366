namespace WarpDrive.Tests;

/// <summary><c>wd gzip</c> and <c>wd gunzip</c> side by side with the real gzip and gunzip: the same command line in
/// two directories holding the same files, then the same exit codes, the same files left behind (names, mode, mtime),
/// and outputs each tool reads from the other.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class GzipCliTests : IDisposable
{
    private static readonly DateTime s_time = SideBySide.Time;
    private readonly SideBySide _dirs = new("gzip");

    public void Dispose() => _dirs.Dispose();

    private static string WdDll => SideBySide.WdDll;

    private void Put(string name, byte[] data) => _dirs.Put(name, data);

    private ((int Code, string Stdout, string Stderr) Gnu, (int Code, string Stdout, string Stderr) Wd) Side(string tool, string args, string? stdin = null, string? stdout = null) =>
        _dirs.Run(tool, args, stdin, stdout);

    private static string[] Listing(string dir) => SideBySide.Listing(dir);

    private static byte[] Gunzip(string path) => CliRunner.PipeAsync("gzip", "-dc", File.ReadAllBytes(path)).GetAwaiter().GetResult();

    private static byte[] WdGunzip(string path) =>
        CliRunner.PipeAsync("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "wd.dll")}\" gunzip -c", File.ReadAllBytes(path)).GetAwaiter().GetResult();

    [Fact]
    public void CompressesSeveralFilesAsGzipDoes()
    {
        byte[] text = TestData.Text(3 << 20, 7), random = TestData.Random(200_000, 8);
        Put("a", text);
        Put("b", random);
        var (gnu, wd) = Side("gzip", "a b");
        Assert.True(gnu.Code == 0 && wd.Code == 0, $"gzip {gnu.Code} {gnu.Stderr}; wd {wd.Code} {wd.Stderr}");
        Assert.Equal(["a.gz", "b.gz"], Listing(_dirs.Tool));
        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd)); // the inputs removed, nothing else left
        Assert.Equal(text, Gunzip(Path.Combine(_dirs.Wd, "a.gz")));
        Assert.Equal(random, Gunzip(Path.Combine(_dirs.Wd, "b.gz")));
        Assert.Equal(text, WdGunzip(Path.Combine(_dirs.Tool, "a.gz")));
        foreach (string name in (string[])["a.gz", "b.gz"])
        {
            string ours = Path.Combine(_dirs.Wd, name), theirs = Path.Combine(_dirs.Tool, name);
            Assert.Equal(File.GetUnixFileMode(theirs), File.GetUnixFileMode(ours));
            Assert.Equal(s_time, File.GetLastWriteTimeUtc(ours));
            Assert.Equal(File.GetLastWriteTimeUtc(theirs), File.GetLastWriteTimeUtc(ours));
        }
    }

    [Theory]
    [InlineData("gunzip", "x.gz")]
    [InlineData("gzip", "-d x.gz")]
    [InlineData("gunzip", "x")] // gunzip x finds x.gz
    public void DecompressesKeepingModeAndTime(string tool, string args)
    {
        byte[] text = TestData.Text(1 << 20, 9);
        Put("x", text);
        Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Tool}' && gzip", "x").Code);
        File.Copy(Path.Combine(_dirs.Tool, "x.gz"), Path.Combine(_dirs.Wd, "x.gz"));
        File.Delete(Path.Combine(_dirs.Wd, "x"));
        File.SetUnixFileMode(Path.Combine(_dirs.Wd, "x.gz"), File.GetUnixFileMode(Path.Combine(_dirs.Tool, "x.gz")));
        File.SetLastWriteTimeUtc(Path.Combine(_dirs.Wd, "x.gz"), s_time);
        File.SetLastWriteTimeUtc(Path.Combine(_dirs.Tool, "x.gz"), s_time);

        var (gnu, wd) = Side(tool, args);
        Assert.True(gnu.Code == 0 && wd.Code == 0, $"gzip {gnu.Code} {gnu.Stderr}; wd {wd.Code} {wd.Stderr}");
        Assert.Equal(["x"], Listing(_dirs.Wd));
        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd));
        Assert.Equal(text, File.ReadAllBytes(Path.Combine(_dirs.Wd, "x")));
        Assert.Equal(File.GetUnixFileMode(Path.Combine(_dirs.Tool, "x")), File.GetUnixFileMode(Path.Combine(_dirs.Wd, "x")));
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(_dirs.Tool, "x")), File.GetLastWriteTimeUtc(Path.Combine(_dirs.Wd, "x")));
    }

    [Fact]
    public void KeepAndStdoutLeaveTheInput()
    {
        byte[] text = TestData.Text(500_000, 10);
        Put("k", text);
        var (gnu, wd) = Side("gzip", "-k k");
        Assert.Equal((0, 0), (gnu.Code, wd.Code));
        Assert.Equal(["k", "k.gz"], Listing(_dirs.Wd));
        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd));

        // -c: everything on stdout, the input stays, no .gz made (here: k.gz from above stays as it was).
        (gnu, wd) = Side("gzip", "-c k", stdout: "out.gz");
        Assert.Equal((0, 0), (gnu.Code, wd.Code));
        Assert.Equal(["k", "k.gz", "out.gz"], Listing(_dirs.Wd));
        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd));
        Assert.Equal(text, Gunzip(Path.Combine(_dirs.Wd, "out.gz")));

        // -dc on two members: the concatenation, both inputs kept.
        (gnu, wd) = Side("gzip", "-dc k.gz out.gz", stdout: "kk");
        Assert.Equal((0, 0), (gnu.Code, wd.Code));
        Assert.Equal([.. text, .. text], File.ReadAllBytes(Path.Combine(_dirs.Wd, "kk")));
        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd));
    }

    [Fact]
    public void StandardInputToStandardOutput()
    {
        byte[] text = TestData.Text(400_000, 11);
        Put("s", text);
        foreach (string args in (string[])["", "-", "-9 -"])
        {
            var (gnu, wd) = Side("gzip", args, stdin: "s", stdout: "s.out.gz");
            Assert.Equal((0, 0), (gnu.Code, wd.Code));
            Assert.Equal(text, Gunzip(Path.Combine(_dirs.Wd, "s.out.gz")));
            (gnu, wd) = Side("gunzip", args, stdin: "s.out.gz", stdout: "s.back");
            Assert.Equal((0, 0), (gnu.Code, wd.Code));
            Assert.Equal(text, File.ReadAllBytes(Path.Combine(_dirs.Wd, "s.back")));
        }

        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd));
    }

    [Fact]
    public void CompressedDataIsNotWrittenToATerminal()
    {
        // script(1) gives the command a terminal for stdout; -e passes its exit code on.
        (int gnu, string gnuOut, _) = CliRunner.Run("script", "-qec gzip /dev/null", stdinFile: "/dev/null");
        (int wd, string wdOut, _) = CliRunner.Run("script", $"-qec \"{WdDll} gzip\" /dev/null", stdinFile: "/dev/null");
        Assert.Equal((1, 1), (gnu, wd));
        Assert.Contains("compressed data not written to a terminal", gnuOut);
        Assert.Contains("compressed data not written to a terminal", wdOut);
    }

    [Fact]
    public void LevelsAreTheDevicesLevelsAndTheLastOneCounts()
    {
        Put("l", TestData.Text(1 << 20, 12));
        foreach ((string gzipArgs, int level) in ((string, int)[])[("-1", 1), ("-9", 9), ("-9 -4", 4), ("--fast", 1), ("--best", 9), ("-c6", 6)])
        {
            Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Wd}' && {WdDll} gzip", $"-c {gzipArgs} l", stdoutFile: Path.Combine(_dirs.Wd, "g")).Code);
            Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Wd}' && {WdDll} compress", $"-l {level} l -o c").Code);
            Assert.True(File.ReadAllBytes(Path.Combine(_dirs.Wd, "g")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_dirs.Wd, "c"))), gzipArgs);
        }
    }

    public static TheoryData<string, string, string, int, int> Refusals() => new()
    {
        // name, setup, tool + args, gzip's exit code, wd's
        { "output exists", "a a.gz", "gzip a", 2, 2 },
        { "output exists, -f", "a a.gz", "gzip -f a", 0, 0 },
        { "output exists, gunzip", "ok ok.gz", "gunzip ok.gz", 2, 2 },
        { "missing file", "", "gzip missing", 1, 1 },
        { "missing and present", "a", "gzip missing a", 1, 1 },
        { "corrupt, -t", "corrupt.gz", "gzip -t corrupt.gz", 1, 1 },
        { "truncated, -t", "truncated.gz", "gunzip -t truncated.gz", 1, 1 },
        { "corrupt, -d", "corrupt.gz", "gzip -d corrupt.gz", 1, 1 },
        { "already .gz", "a.gz", "gzip a.gz", 0, 0 }, // a message, but gzip 1.12 exits 0
        { "already .gz, -q", "a.gz", "gzip -q a.gz", 0, 0 },
        { "unknown suffix", "a", "gunzip a", 2, 2 },
        { "directory", "dir", "gzip dir", 2, 2 },
        { "symbolic link", "a link", "gzip link", 1, 1 },
        { "unknown option", "a", "gzip -y a", 1, 2 }, // wd: every unknown option is a usage error (2)
        { "unknown long option", "a", "gzip --frobnicate a", 1, 2 },
        { "quiet warning", "a a.gz", "gzip -q a", 2, 2 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task RefusesWhatGzipRefuses(string name, string setup, string command, int gzipCode, int wdCode)
    {
        byte[] text = TestData.Text(300_000, 13);
        byte[] gz = await CliRunner.PipeAsync("gzip", "-c", text);
        foreach (string file in setup.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!_dirs.TryPutSpecial(file))
            {
                Put(file, file switch
                {
                    "a.gz" => [1, 2, 3], // not overwritten unless -f
                    "ok.gz" => gz,
                    "corrupt.gz" => [.. gz[..^8], 1, 2, 3, 4, .. gz[^4..]],
                    "truncated.gz" => gz[..(gz.Length / 2)],
                    _ => text,
                });
            }
        }

        Dictionary<string, byte[]> before = Contents(_dirs.Wd);
        string tool = command[..command.IndexOf(' ')], args = command[(command.IndexOf(' ') + 1)..];
        var (gnu, wd) = Side(tool, args);
        Assert.True(gnu.Code == gzipCode, $"{name}: gzip exited {gnu.Code}: {gnu.Stderr}");
        Assert.True(wd.Code == wdCode, $"{name}: wd exited {wd.Code}: {wd.Stderr}");
        Assert.Equal(Listing(_dirs.Tool), Listing(_dirs.Wd)); // the same files left: no partial output, the input where gzip leaves it
        if (gzipCode != 0 && !command.Contains("missing a", StringComparison.Ordinal))
        {
            Assert.Equal(before.Keys.Order(), Contents(_dirs.Wd).Keys.Order());
            foreach ((string file, byte[] data) in Contents(_dirs.Wd))
            {
                Assert.Equal(before[file], data); // nothing touched
            }
        }

        if (name == "already .gz")
        {
            Assert.Equal(gnu.Stderr.Replace("gzip: ", "wd: ", StringComparison.Ordinal), wd.Stderr);
            Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_dirs.Wd, "a.gz")));
        }
        else if (command.Contains("-q", StringComparison.Ordinal))
        {
            Assert.Equal("", wd.Stderr);
        }
        else if (wdCode != 0)
        {
            Assert.NotEqual("", wd.Stderr.Trim());
            Assert.DoesNotContain("   at ", wd.Stderr);
            if (gzipCode != 1 || name.StartsWith("missing", StringComparison.Ordinal))
            {
                // gzip's own words for the refusals it words the same way (the data errors' words differ)
                string gnuFirst = gnu.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
                Assert.Equal(gnuFirst[(gnuFirst.IndexOf(':') + 1)..], wd.Stderr.Split('\n')[0][(wd.Stderr.IndexOf(':') + 1)..]);
            }
        }
    }

    private static Dictionary<string, byte[]> Contents(string dir) => SideBySide.Contents(dir);
}
