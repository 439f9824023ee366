namespace WarpDrive.Tests;

/// <summary><c>wd digest -c</c> side by side with coreutils (<c>sha256sum -c</c>, <c>md5sum -c</c>, ...,
/// <c>cksum -a sm3 -c</c>) on the same sums files: the same stdout, the same stderr (the program's name aside) and
/// the same exit code, option by option.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class DigestCheckCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-digest-check-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string WdDll => $"dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}'";

    private (int Code, string Stdout, string Stderr) In(string command, string args) => CliRunner.Run($"cd '{_dir}' && {command}", args);

    /// <summary>The coreutils tool for a wd algorithm name, as a command line prefix, and its name in messages.</summary>
    private static (string Command, string Name) Tool(string algorithm) => algorithm switch
    {
        "sm3" => ("cksum -a sm3", "cksum"),
        _ => ($"{algorithm}sum", $"{algorithm}sum"),
    };

    private void WriteFiles()
    {
        File.WriteAllBytes(Path.Combine(_dir, "a"), TestData.Text(2_500_000, 21)); // three device pieces
        File.WriteAllBytes(Path.Combine(_dir, "b"), TestData.Random(1000, 22));
        File.WriteAllBytes(Path.Combine(_dir, "empty"), []);
        File.WriteAllText(Path.Combine(_dir, "changed"), "before");
    }

    /// <summary>A sums file made by the coreutils tool itself: plain, binary-marked and tagged lines, then a line for a
    /// file changed since, one for a missing file, and a line that is not a checksum line.</summary>
    private string MakeSums(string algorithm, bool withFailures)
    {
        (string tool, _) = Tool(algorithm);
        string untagged = algorithm == "sm3" ? " --untagged" : "";
        string tagged = algorithm == "sm3" ? "" : " --tag";
        string binary = algorithm == "sm3" ? "" : " -b"; // cksum has no -b: the '*' marker is covered by the others
        string script = $"{tool}{untagged} a empty > sums && {tool}{untagged}{binary} b >> sums && {tool}{tagged} a b >> sums";
        if (withFailures)
        {
            script += $" && {tool}{untagged} changed missing_later >> sums && rm missing_later && echo after > changed && echo 'not a checksum line' >> sums";
            File.WriteAllText(Path.Combine(_dir, "missing_later"), "x");
        }

        (int code, _, string err) = CliRunner.Run($"cd '{_dir}' &&", script);
        Assert.True(code == 0, err);
        return "sums";
    }

    /// <summary>Sizes around wd's 1 MiB pieces (it reads ahead while it hashes, and holds the last piece back for the
    /// final request): each file's digest is sha256sum's.</summary>
    [Fact]
    public void DigestsAtEveryPieceBoundaryAreSha256sums()
    {
        const int piece = 1 << 20;
        byte[] text = TestData.Text((3 * piece) + 1, 23);
        string[] names = [.. ((int[])[0, 1, piece - 1, piece, piece + 1, 2 * piece, (2 * piece) + 7, 3 * piece, (3 * piece) + 1])
            .Select(size =>
            {
                string name = $"size-{size}";
                File.WriteAllBytes(Path.Combine(_dir, name), text[..size]);
                return name;
            })];
        string files = string.Join(' ', names);
        (int code, string ours, string err) = In(WdDll, $"digest -a sha256 {files}");
        Assert.True(code == 0, err);
        (code, string theirs, err) = In("sha256sum", files);
        Assert.True(code == 0, err);
        Assert.Equal(theirs, ours);
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string options in (string[])["", "--quiet", "--status", "-w", "--strict", "--ignore-missing", "-w --strict --ignore-missing"])
        {
            data.Add("sha256", options);
        }

        foreach (string algorithm in (string[])["sha1", "sha512", "md5", "sm3"])
        {
            data.Add(algorithm, "");
            data.Add(algorithm, "-w --strict");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ChecksAsCoreutilsDoes(string algorithm, string options)
    {
        WriteFiles();
        string sums = MakeSums(algorithm, withFailures: true);
        (string tool, string name) = Tool(algorithm);
        var gnu = In(tool, $"-c {options} {sums}");
        var wd = In(WdDll, $"digest -a {algorithm} -c {options} {sums}");
        Assert.Equal(1, gnu.Code); // a FAILED line at least: the case can fail
        Assert.Equal(gnu.Code, wd.Code);
        Assert.Equal(gnu.Stdout, wd.Stdout);
        Assert.Equal(gnu.Stderr.Replace($"{name}: ", "wd: ", StringComparison.Ordinal), wd.Stderr);
        if (options.Length == 0)
        {
            Assert.Contains("changed: FAILED\n", wd.Stdout);
            Assert.Contains("missing_later: FAILED open or read\n", wd.Stdout);
            Assert.Contains("a: OK\n", wd.Stdout);
            Assert.Contains("WARNING: 1 computed checksum did NOT match", wd.Stderr);
        }
    }

    [Theory]
    [InlineData("sha256")]
    [InlineData("md5")]
    [InlineData("sm3")]
    public void AllGoodIsExitZero(string algorithm)
    {
        WriteFiles();
        string sums = MakeSums(algorithm, withFailures: false);
        (string tool, _) = Tool(algorithm);
        var gnu = In(tool, $"-c {sums}");
        var wd = In(WdDll, $"digest -a {algorithm} -c {sums}");
        Assert.Equal((0, 0), (gnu.Code, wd.Code));
        Assert.Equal(gnu.Stdout, wd.Stdout);
        Assert.Equal("", wd.Stderr);

        // the same sums read from standard input
        (int code, string stdout, _) = CliRunner.Run($"cd '{_dir}' && {WdDll}", $"digest -a {algorithm} -c", stdinFile: Path.Combine(_dir, sums));
        Assert.Equal(0, code);
        Assert.Equal(gnu.Stdout, stdout);
    }

    [Theory]
    [InlineData("garbage\n", "")] // no checksum lines at all
    [InlineData("", "")] // empty
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000  gone\n", "--ignore-missing")] // nothing verified
    [InlineData("SHA1 (a) = 0000000000000000000000000000000000000000\n", "")] // another algorithm's tag
    [InlineData("\\e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  back\\\\slash\n", "")] // an escaped name
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  miss ing\n", "")] // a quoted name in the message
    public void OddSumsFilesAsCoreutils(string content, string options)
    {
        File.WriteAllText(Path.Combine(_dir, "sums"), content);
        File.WriteAllText(Path.Combine(_dir, "a"), "a");
        File.WriteAllBytes(Path.Combine(_dir, "back\\slash"), []);
        var gnu = In("sha256sum", $"-c {options} sums");
        var wd = In(WdDll, $"digest -c {options} sums");
        Assert.Equal(gnu.Code, wd.Code);
        Assert.Equal(gnu.Stdout, wd.Stdout);
        Assert.Equal(gnu.Stderr.Replace("sha256sum: ", "wd: ", StringComparison.Ordinal), wd.Stderr);
    }

    [Fact]
    public void CheckIsNotHashingTheSumsFile()
    {
        WriteFiles();
        string sums = MakeSums("sha256", withFailures: false);
        var wd = In(WdDll, $"digest -c {sums}");
        Assert.Equal(0, wd.Code);
        Assert.DoesNotContain("  sums", wd.Stdout); // the old behaviour: "-c: no such file", then the sums file's own hash
        Assert.DoesNotContain("-c", wd.Stderr);
    }

    [Fact]
    public void AFileNamedWithAnAtIsAFile()
    {
        File.WriteAllText(Path.Combine(_dir, "@notes"), "not a response file");
        var gnu = In("sha256sum", "@notes");
        var wd = In(WdDll, "digest @notes");
        Assert.Equal((0, 0), (gnu.Code, wd.Code));
        Assert.Equal(gnu.Stdout, wd.Stdout);
    }

    [Theory]
    [InlineData("digest -Z a")]
    [InlineData("digest --frobnicate a")]
    [InlineData("digest --quiet a")] // a -c option without -c
    public void UnknownOptionsAreUsageErrors(string args)
    {
        File.WriteAllText(Path.Combine(_dir, "a"), "a");
        var wd = In(WdDll, args);
        Assert.Equal(2, wd.Code);
        Assert.Equal("", wd.Stdout); // no hash line: the option was not taken as a file
        Assert.StartsWith("wd: ", wd.Stderr);
    }
}
