namespace WarpDrive.Tests;

/// <summary><c>wd zstd</c> and <c>wd lz4</c> (and unzstd, zstdcat, unlz4, lz4cat) side by side with the real zstd and
/// lz4: the same command line in two directories holding the same files, then the same exit codes, the same files
/// left behind with the same mode and mtime, and every compressed file either tool made read back by the real tool to
/// the same bytes (so the real tools read wd's output, and wd reads theirs where it decompresses their files).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class FrameToolCliTests : IDisposable
{
    private readonly SideBySide _dirs = new("frame");

    public void Dispose() => _dirs.Dispose();

    public static TheoryData<string, string, string, string?, string?, int, int> Cases() => new()
    {
        // name, setup, tool + args, stdin, stdout, the tool's exit code, wd's
        { "zstd: several files, inputs kept", "a b", "zstd a b", null, null, 0, 0 },
        { "zstd: --rm", "a", "zstd --rm a", null, null, 0, 0 },
        { "zstd: -19, -o", "a", "zstd -19 a -o c.zst", null, null, 0, 0 },
        { "zstd: --fast=3", "a", "zstd --fast=3 a", null, null, 0, 0 },
        { "zstd: --fast, file after it", "a", "zstd --fast a", null, null, 0, 0 },
        { "zstd: --ultra -22", "a", "zstd --ultra -22 a", null, null, 0, 0 },
        { "zstd: -22 without --ultra is 19", "a", "zstd -q -22 a", null, null, 0, 0 },
        { "zstd: -c, --rm ignored", "a b", "zstd --rm -c a b", null, "out", 0, 0 },
        { "zstd: stdin to stdout", "a", "zstd", "a", "out", 0, 0 },
        { "zstd: - to -o", "a", "zstd - -o out.zst", "a", null, 0, 0 },
        { "zstd: -d", "ok.zst", "zstd -d ok.zst", null, null, 0, 0 },
        { "unzstd --rm", "ok.zst", "unzstd --rm ok.zst", null, null, 0, 0 },
        { "zstd: -d .tzst", "x.tzst", "zstd -d x.tzst", null, null, 0, 0 },
        { "zstdcat, two files", "ok.zst x.tzst", "zstdcat ok.zst x.tzst", null, "out", 0, 0 },
        { "zstd: -dc from stdin", "ok.zst", "zstd -dc", "ok.zst", "out", 0, 0 },
        { "zstd: -t", "ok.zst", "zstd -t ok.zst", null, null, 0, 0 },
        { "zstd: several files into -o, -f", "a b", "zstd -f a b -o both.zst", null, null, 0, 0 },
        { "zstd: several files into -o", "a b", "zstd a b -o both.zst", null, null, 1, 1 },
        { "zstd: output exists", "a a.zst", "zstd a", null, null, 1, 1 },
        { "zstd: output exists, -q", "a a.zst", "zstd -q a", null, null, 1, 1 },
        { "zstd: output exists, -f", "a a.zst", "zstd -f a", null, null, 0, 0 },
        { "zstd: output exists, -d", "ok.zst ok", "zstd -d ok.zst", null, null, 1, 1 },
        { "zstd: missing file", "", "zstd missing", null, null, 1, 1 },
        { "zstd: missing and present", "a", "zstd missing a", null, null, 1, 1 },
        { "zstd: corrupt, -t", "corrupt.zst", "zstd -t corrupt.zst", null, null, 1, 1 },
        { "zstd: corrupt, -d", "corrupt.zst", "zstd -d corrupt.zst", null, null, 1, 1 },
        { "zstd: truncated, -d --rm", "truncated.zst", "zstd -d --rm truncated.zst", null, null, 1, 1 },
        { "zstd: not zstd, -d -c", "a", "zstd -dc a", null, "out", 1, 1 },
        { "zstd: unknown suffix", "a", "zstd -d a", null, null, 1, 1 },
        { "zstd: directory", "dir", "zstd dir", null, null, 1, 1 },
        { "zstd: symbolic link", "a link", "zstd link", null, null, 1, 1 },
        { "zstd: symbolic link, -f", "a link", "zstd -f link", null, null, 0, 0 },
        { "zstd: unknown option", "a", "zstd -y a", null, null, 1, 2 }, // wd: every unknown option is a usage error (2)
        { "zstd: unknown long option", "a", "zstd --frobnicate a", null, null, 1, 2 },

        { "lz4: INPUT OUTPUT", "a", "lz4 a c.lz4", null, null, 0, 0 },
        { "lz4: one file, stdout not a terminal", "a", "lz4 a", null, "out", 0, 0 },
        { "lz4: -m, inputs kept", "a b", "lz4 -m a b", null, null, 0, 0 },
        { "lz4: -m --rm", "a b", "lz4 -m --rm a b", null, null, 0, 0 },
        { "lz4: -9", "a", "lz4 -9 a c.lz4", null, null, 0, 0 },
        { "lz4: --best", "a", "lz4 --best a c.lz4", null, null, 0, 0 },
        { "lz4: --fast=3", "a", "lz4 --fast=3 a c.lz4", null, null, 0, 0 },
        { "lz4: -c --rm removes the input", "a", "lz4 -c --rm a", null, "out", 0, 0 },
        { "lz4: stdin to stdout", "a", "lz4", "a", "out", 0, 0 },
        { "lz4: - to OUTPUT", "a", "lz4 - c.lz4", "a", null, 0, 0 },
        { "lz4: .lz4 decompresses", "ok.lz4", "lz4 -m ok.lz4", null, null, 0, 0 },
        { "lz4: -z compresses .lz4", "ok.lz4", "lz4 -z -m ok.lz4", null, null, 0, 0 },
        { "unlz4 INPUT OUTPUT", "ok.lz4", "unlz4 ok.lz4 plain", null, null, 0, 0 },
        { "lz4: -d --rm", "ok.lz4", "lz4 -d --rm ok.lz4 plain", null, null, 0, 0 },
        { "lz4cat, two files", "ok.lz4 x.lz4", "lz4cat ok.lz4 x.lz4", null, "out", 0, 0 },
        { "lz4: -t", "ok.lz4", "lz4 -t ok.lz4", null, null, 0, 0 },
        { "lz4: null output", "a", "lz4 a null", null, null, 0, 0 },
        { "lz4: -c with OUTPUT", "a", "lz4 -c a c.lz4", null, "out", 1, 1 },
        { "lz4: output exists", "a a.lz4", "lz4 -m a", null, null, 1, 1 },
        { "lz4: OUTPUT exists", "a c.lz4", "lz4 a c.lz4", null, null, 1, 1 },
        { "lz4: output exists, -f", "a a.lz4", "lz4 -m -f a", null, null, 0, 0 },
        { "lz4: missing file", "", "lz4 -m missing", null, null, 1, 1 },
        { "lz4: missing OUTPUT's input", "", "lz4 missing c.lz4", null, null, 1, 1 },
        { "lz4: corrupt, -t", "corrupt.lz4", "lz4 -t corrupt.lz4", null, null, 1, 1 },
        { "lz4: not lz4, -d", "a", "lz4 -dc a", null, "out", 1, 1 },
        { "lz4: unknown suffix, -m -d", "a", "lz4 -m -d a", null, null, 1, 1 },
        { "lz4: unknown option", "a", "lz4 -y a", null, null, 1, 2 },
        { "lz4: symbolic link followed", "a link", "lz4 -m link", null, null, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task DoesWhatTheToolDoes(string name, string setup, string command, string? stdin, string? stdout, int toolCode, int wdCode)
    {
        await SetUp(setup);
        Dictionary<string, byte[]> before = SideBySide.Contents(_dirs.Wd);
        string tool = command.Split(' ')[0], args = command[tool.Length..].Trim();
        var (real, wd) = _dirs.Run(tool, args, stdin, stdout);
        // lz4 exits with its error's number (44: bad header, 66: bad checksum) where zstd says 1: the class compares
        Assert.True(real.Code == toolCode || (toolCode == 1 && real.Code > 2), $"{name}: {tool} exited {real.Code}: {real.Stderr}");
        Assert.True(wd.Code == wdCode, $"{name}: wd exited {wd.Code}: {wd.Stderr}");
        Assert.Equal(SideBySide.Listing(_dirs.Tool), SideBySide.Listing(_dirs.Wd)); // the same files made, removed, kept; no partial output
        foreach (string file in SideBySide.Listing(_dirs.Wd).Where(f => f != stdout || toolCode == 0))
        {
            string ours = Path.Combine(_dirs.Wd, file), theirs = Path.Combine(_dirs.Tool, file);
            if (new FileInfo(ours).LinkTarget is not null)
            {
                continue;
            }

            Assert.True(File.ReadAllBytes(theirs).AsSpan().SequenceEqual(File.ReadAllBytes(ours)) || Plain(theirs).AsSpan().SequenceEqual(Plain(ours)),
                $"{name}: {file} differs");
            if (file != stdout)
            {
                Assert.True(File.GetUnixFileMode(theirs) == File.GetUnixFileMode(ours), $"{name}: {file}'s mode");
                DateTime theirTime = File.GetLastWriteTimeUtc(theirs), ourTime = File.GetLastWriteTimeUtc(ours);
                Assert.True(theirTime == SideBySide.Time ? ourTime == theirTime : ourTime != SideBySide.Time, $"{name}: {file}'s mtime"); // kept, or now
            }
        }

        if (wdCode != 0)
        {
            string[] lines = wd.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Count(l => !l.StartsWith("Try 'wd --help'", StringComparison.Ordinal)) == 1, $"{name}: {wd.Stderr}"); // one line
            Assert.DoesNotContain("   at ", wd.Stderr);
            if (!command.Contains("missing a", StringComparison.Ordinal) && !command.Contains("-f ", StringComparison.Ordinal))
            {
                Dictionary<string, byte[]> after = SideBySide.Contents(_dirs.Wd);
                Assert.Equal(before.Keys.Order(), after.Keys.Where(f => f != stdout).Order());
                Assert.All(before, kv => Assert.Equal(kv.Value, after[kv.Key])); // nothing touched, the input kept
            }
        }

        if (command.Contains("-q", StringComparison.Ordinal) && wdCode == 0)
        {
            Assert.Equal("", wd.Stderr);
        }
    }

    [Theory]
    [InlineData("zstd -v a", "a.zst")] // zstd says this line without -v; wd only with it
    [InlineData("zstd -v -d ok.zst", "ok.zst")]
    [InlineData("lz4 -v -m a", "Compressed")]
    [InlineData("lz4 -v -m ok.lz4", "ok.lz4")]
    public async Task VerboseNamesEachFile(string command, string expected)
    {
        await SetUp("a ok.zst ok.lz4");
        (int code, _, string stderr) = CliRunner.Run($"cd '{_dirs.Wd}' && {SideBySide.WdDll}", command);
        Assert.Equal(0, code);
        Assert.Contains(expected, stderr);
        (code, _, stderr) = CliRunner.Run($"cd '{_dirs.Wd}' && {SideBySide.WdDll}", command.Replace("-v", "-f", StringComparison.Ordinal));
        Assert.Equal((0, ""), (code, stderr)); // silent without -v
    }

    [Fact]
    public async Task AFailedConcatenationLeavesNoOutput()
    {
        await SetUp("ok.zst corrupt.zst");
        Dictionary<string, byte[]> before = SideBySide.Contents(_dirs.Wd);
        var (real, wd) = _dirs.Run("zstd", "-d -f ok.zst corrupt.zst -o both");
        Assert.Equal((1, 1), (real.Code, wd.Code));
        Assert.True(File.Exists(Path.Combine(_dirs.Tool, "both"))); // zstd leaves what it wrote before the error; wd nothing
        Assert.Equal(before.Keys.Order(), SideBySide.Listing(_dirs.Wd));
        Assert.StartsWith("wd: corrupt.zst: ", wd.Stderr); // the input at fault, not the first
        Assert.Single(wd.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task DictionariesAreZstdsDictionaries()
    {
        string samples = Path.Combine(_dirs.Tool, "samples");
        Directory.CreateDirectory(samples);
        for (int i = 0; i < 200; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(samples, $"{i}"), TestData.Text(2000, 100 + i));
        }

        Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Tool}' && zstd", "-q --train samples/* -o dict").Code);
        File.Copy(Path.Combine(_dirs.Tool, "dict"), Path.Combine(_dirs.Wd, "dict"));
        Directory.Delete(samples, recursive: true);
        byte[] text = TestData.Text(3000, 99);
        _dirs.Put("m", text);

        var (real, wd) = _dirs.Run("zstd", "-q -D dict m");
        Assert.Equal((0, 0), (real.Code, wd.Code));
        Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Wd}' && zstd", "-q -D dict -d m.zst -o theirs").Code); // zstd reads wd's
        Assert.Equal(text, File.ReadAllBytes(Path.Combine(_dirs.Wd, "theirs")));
        Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Tool}' && {SideBySide.WdDll} zstd", "-q -D dict -d m.zst -o ours").Code); // wd reads zstd's
        Assert.Equal(text, File.ReadAllBytes(Path.Combine(_dirs.Tool, "ours")));
        Assert.NotEqual(0, CliRunner.Run($"cd '{_dirs.Tool}' && {SideBySide.WdDll} zstd", "-q -d m.zst -o none").Code); // it needs the dictionary
        Assert.False(File.Exists(Path.Combine(_dirs.Tool, "none")));
    }

    [Theory]
    [InlineData("zstd", "", 1)] // stdin and stdout are the terminal: refused
    [InlineData("zstd", "a", 0)] // a.zst
    [InlineData("lz4", "a", 0)] // stdout is the terminal: a.lz4, not stdout
    [InlineData("lz4", "", 1)]
    [InlineData("lz4", "-d ok.lz4", 0)] // ok
    public async Task OnATerminal(string tool, string args, int code)
    {
        await SetUp("a ok.lz4");
        // script(1) gives the command a terminal; -e passes its exit code on.
        (int real, _, _) = CliRunner.Run("script", $"-qec \"cd '{_dirs.Tool}' && {tool} {args}\" /dev/null", stdinFile: "/dev/null");
        (int wd, string wdOut, _) = CliRunner.Run("script", $"-qec \"cd '{_dirs.Wd}' && {SideBySide.WdDll} {tool} {args}\" /dev/null", stdinFile: "/dev/null");
        Assert.Equal((code, code), (real, wd));
        Assert.Equal(SideBySide.Listing(_dirs.Tool), SideBySide.Listing(_dirs.Wd));
        if (code != 0)
        {
            Assert.Contains("console", wdOut);
        }
    }

    [Theory]
    [InlineData("zstd --fast=200 a")] // wd's levels stop at -128 (zstd would take it)
    [InlineData("zstd -T2 a")] // options of the tools that wd does not have: usage errors, not file names
    [InlineData("zstd --long a")]
    [InlineData("lz4 -B4 a")]
    [InlineData("lz4 -D dict a")]
    [InlineData("lz4 --content-size a c.lz4")]
    public async Task WhatWdDoesNotDoIsAUsageError(string command)
    {
        await SetUp("a");
        (int code, _, string stderr) = CliRunner.Run($"cd '{_dirs.Wd}' && {SideBySide.WdDll}", command);
        Assert.True(code == 2, $"{command}: exit {code}: {stderr}");
        Assert.StartsWith("wd: ", stderr);
        Assert.Equal(["a"], SideBySide.Listing(_dirs.Wd));
    }

    [Fact]
    public async Task Lz4sDashMIsMultipleNotMode()
    {
        await SetUp("a b");
        var (real, wd) = _dirs.Run("lz4", "-m a b");
        Assert.Equal((0, 0), (real.Code, wd.Code));
        Assert.Equal(["a", "a.lz4", "b", "b.lz4"], SideBySide.Listing(_dirs.Wd));
        Assert.Equal(SideBySide.Listing(_dirs.Tool), SideBySide.Listing(_dirs.Wd));
        Assert.Equal(0, CliRunner.Run($"cd '{_dirs.Wd}' && {SideBySide.WdDll} lz4", "--mode local -m -f a b").Code); // --mode is still there
    }

    /// <summary>What a file holds, decompressed by the real tool when it is zstd or lz4 data (so a compressed file
    /// compares by its contents: wd's encoder makes other bytes than the tools').</summary>
    private static byte[] Plain(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        string? tool = data switch
        {
            [0x28, 0xB5, 0x2F, 0xFD, ..] => "zstd",
            [0x04, 0x22, 0x4D, 0x18, ..] => "lz4",
            _ => null,
        };
        return tool is null ? data : CliRunner.PipeAsync(tool, "-dc", data).GetAwaiter().GetResult();
    }

    private async Task SetUp(string setup)
    {
        byte[] text = TestData.Text(300_000, 21), other = TestData.Random(50_000, 22);
        byte[] zst = await CliRunner.PipeAsync("zstd", "-c", text), lz4 = await CliRunner.PipeAsync("lz4", "-c", text);
        foreach (string file in setup.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!_dirs.TryPutSpecial(file))
            {
                _dirs.Put(file, file switch
                {
                    "a.zst" or "a.lz4" or "c.lz4" => [1, 2, 3], // not overwritten unless -f
                    "ok.zst" => zst,
                    "x.tzst" => await CliRunner.PipeAsync("zstd", "-c", other),
                    "ok.lz4" => lz4,
                    "x.lz4" => await CliRunner.PipeAsync("lz4", "-c", other),
                    "corrupt.zst" => Corrupt(zst),
                    "corrupt.lz4" => Corrupt(lz4),
                    "truncated.zst" => zst[..(zst.Length / 2)],
                    "b" => other,
                    _ => text,
                });
            }
        }
    }

    /// <summary>Flips bytes in the middle of the data.</summary>
    private static byte[] Corrupt(byte[] data)
    {
        byte[] copy = [.. data];
        for (int i = copy.Length / 2; i < copy.Length / 2 + 16; i++)
        {
            copy[i] ^= 0x5A;
        }

        return copy;
    }
}
