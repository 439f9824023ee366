using System.Diagnostics;

namespace WarpDrive.Tests;

/// <summary><c>wd rsa</c> against the real <c>openssl</c>: signatures made by one verify with the other.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class RsaCliTests : IDisposable
{
    private const int VerificationFailure = 7;

    private readonly string _dir = Directory.CreateTempSubdirectory("wd-rsa-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (int Code, string Stdout, string Stderr) Run(string command, string? stdinFile = null, string? stdoutFile = null)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        string redirect = (stdinFile is null ? "" : $" < '{stdinFile}'") + (stdoutFile is null ? "" : $" > '{stdoutFile}'");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command + redirect);
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), $"{command} did not finish");
        return (p.ExitCode, stdout.Result, stderr);
    }

    private static (int Code, string Stdout, string Stderr) Wd(string args, string? stdinFile = null, string? stdoutFile = null) =>
        Run($"dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}' {args}", stdinFile, stdoutFile);

    /// <summary>openssl must be present: a test that needs it fails rather than passing without it.</summary>
    private static (int Code, string Stdout, string Stderr) OpenSsl(string args)
    {
        Assert.True(Run("command -v openssl").Code == 0, "openssl is not installed: these interoperability tests need it");
        return Run($"openssl {args}");
    }

    private void WriteInput()
    {
        File.WriteAllBytes(PathOf("data"), TestData.Random(300_000, 3));
    }

    [Theory]
    [InlineData(2048, "sha256", false)]
    [InlineData(1024, "sha256", true)]
    [InlineData(3072, "sha384", true)]
    public void WdSignsAndOpenSslVerifies(int bits, string hash, bool pss)
    {
        WriteInput();
        (int code, _, string err) = Wd($"rsa keygen --bits {bits} --out '{PathOf("key.pem")}' --pubout '{PathOf("pub.pem")}'");
        Assert.True(code == 0, err);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("key.pem")));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(PathOf("key.pem")), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(PathOf("pub.pem")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        string pssFlag = pss ? " --pss" : "";
        (code, _, err) = Wd($"rsa sign --key '{PathOf("key.pem")}' --hash {hash}{pssFlag} --out '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.True(code == 0, err);
        Assert.Equal(bits / 8, new FileInfo(PathOf("sig")).Length);
        string sigopt = pss ? "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest " : "";
        (code, string output, err) = OpenSsl($"dgst -{hash} {sigopt}-verify '{PathOf("pub.pem")}' -signature '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.True(code == 0, output + err);
        Assert.Contains("Verified OK", output, StringComparison.Ordinal);

        // And the key itself reads in openssl.
        Assert.Equal(0, OpenSsl($"pkey -in '{PathOf("key.pem")}' -check -noout").Code);
    }

    [Theory]
    [InlineData("sha256", false)]
    [InlineData("sha1", false)]
    [InlineData("sha512", true)]
    public void OpenSslSignsAndWdVerifies(string hash, bool pss)
    {
        WriteInput();
        Assert.Equal(0, OpenSsl($"genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '{PathOf("key.pem")}'").Code);
        Assert.Equal(0, OpenSsl($"pkey -in '{PathOf("key.pem")}' -pubout -out '{PathOf("pub.pem")}'").Code);
        string sigopt = pss ? "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest " : "";
        (int code, string output, string err) = OpenSsl($"dgst -{hash} {sigopt}-sign '{PathOf("key.pem")}' -out '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.True(code == 0, output + err);

        string pssFlag = pss ? " --pss" : "";
        (code, output, err) = Wd($"rsa verify --key '{PathOf("pub.pem")}' --signature '{PathOf("sig")}' --hash {hash}{pssFlag} '{PathOf("data")}'");
        Assert.True(code == 0, err);
        Assert.Equal("Verified OK", output.Trim());
        // The private key verifies too, and standard input is read with '-'.
        (code, output, err) = Wd($"rsa verify --key '{PathOf("key.pem")}' --signature '{PathOf("sig")}' --hash {hash}{pssFlag} -", stdinFile: PathOf("data"));
        Assert.True(code == 0, err);

        // A tampered file, the wrong padding, a truncated signature: verification failure, its own exit code.
        byte[] data = File.ReadAllBytes(PathOf("data"));
        data[1000] ^= 1;
        File.WriteAllBytes(PathOf("tampered"), data);
        (code, output, err) = Wd($"rsa verify --key '{PathOf("pub.pem")}' --signature '{PathOf("sig")}' --hash {hash}{pssFlag} '{PathOf("tampered")}'");
        Assert.Equal(VerificationFailure, code);
        Assert.Equal("Verification failure", err.Trim());
        Assert.Equal("", output);
        (code, _, _) = Wd($"rsa verify --key '{PathOf("pub.pem")}' --signature '{PathOf("sig")}' --hash {hash}{(pss ? "" : " --pss")} '{PathOf("data")}'");
        Assert.Equal(VerificationFailure, code);
        File.WriteAllBytes(PathOf("short"), File.ReadAllBytes(PathOf("sig"))[..100]);
        (code, _, _) = Wd($"rsa verify --key '{PathOf("pub.pem")}' --signature '{PathOf("short")}' --hash {hash}{pssFlag} '{PathOf("data")}'");
        Assert.Equal(VerificationFailure, code);
    }

    [Fact]
    public void PkcsOneSignaturesAreIdenticalToOpenSsls()
    {
        WriteInput();
        Assert.Equal(0, OpenSsl($"genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out '{PathOf("key.pem")}'").Code);
        Assert.Equal(0, OpenSsl($"dgst -sha256 -sign '{PathOf("key.pem")}' -out '{PathOf("theirs")}' '{PathOf("data")}'").Code);
        (int code, _, string err) = Wd($"rsa sign --key '{PathOf("key.pem")}' -", stdinFile: PathOf("data"), stdoutFile: PathOf("ours"));
        Assert.True(code == 0, err);
        Assert.Equal(File.ReadAllBytes(PathOf("theirs")), File.ReadAllBytes(PathOf("ours")));
    }

    [Fact]
    public void BadInputIsOneLineAndTheCliExitCodes()
    {
        WriteInput();
        (int code, _, string err) = Wd($"rsa sign --key '{PathOf("missing.pem")}' --out '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.Equal(4, code);
        Assert.Equal($"wd: {PathOf("missing.pem")}: no such file or directory", err.Trim());
        Assert.False(File.Exists(PathOf("sig")));

        File.WriteAllText(PathOf("bad.pem"), "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
        (code, _, err) = Wd($"rsa sign --key '{PathOf("bad.pem")}' --out '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("no RSA key in PEM form", err, StringComparison.Ordinal);

        (code, _, err) = Wd($"rsa keygen --bits 1000 --out '{PathOf("k.pem")}'");
        Assert.Equal(2, code);
        Assert.False(File.Exists(PathOf("k.pem")));

        Assert.Equal(0, Wd($"rsa keygen --bits 1024 --out '{PathOf("k.pem")}' --pubout '{PathOf("p.pem")}'").Code);
        (code, _, err) = Wd($"rsa sign --key '{PathOf("p.pem")}' --out '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.Equal(1, code);
        Assert.Contains("public key cannot sign", err, StringComparison.Ordinal);
        (code, _, err) = Wd($"rsa verify --key '{PathOf("p.pem")}' --signature '{PathOf("nosig")}' '{PathOf("data")}'");
        Assert.Equal(4, code);
        Assert.Equal($"wd: {PathOf("nosig")}: no such file or directory", err.Trim());
        (code, _, _) = Wd($"rsa sign --key '{PathOf("k.pem")}' --hash md5 --out '{PathOf("sig")}' '{PathOf("data")}'");
        Assert.Equal(2, code);
    }
}
