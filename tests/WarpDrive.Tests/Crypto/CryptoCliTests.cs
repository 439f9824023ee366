using System.Security.Cryptography;
using static WarpDrive.Tests.CliRunner;

namespace WarpDrive.Tests.Crypto;

/// <summary>The real <c>wd digest</c> and <c>wd cipher</c> against the real sha256sum and openssl.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class CryptoCliTests(CryptoBrokerFixture broker) : IDisposable, IClassFixture<CryptoBrokerFixture>
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-crypto-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string Write(string name, byte[] data)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, data);
        return path;
    }

    [Fact]
    public void DigestCipherAndRsaRunThroughTheBrokerToo()
    {
        var env = new Dictionary<string, string> { ["WD_RUN_DIR"] = broker.Broker.RunDirectory };
        string file = Write("data", RandomNumberGenerator.GetBytes((1 << 20) + 99));
        (int code, string output, string err) = Wd($"digest --mode broker -a sha256 '{file}'", env: env);
        Assert.True(code == 0, err);
        Assert.Equal(Run("sha256sum", $"'{file}'").Stdout, output);

        string keyFile = Write("key", RandomNumberGenerator.GetBytes(16));
        string iv = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        (code, _, err) = Wd($"cipher --mode broker -a aes-128-ctr --key-file '{keyFile}' --iv {iv} '{file}' -o '{file}.enc'", env: env);
        Assert.True(code == 0, err);
        (code, _, err) = Run("openssl", $"enc -d -aes-128-ctr -K {Convert.ToHexStringLower(File.ReadAllBytes(keyFile))} -iv {iv} -in '{file}.enc' -out '{file}.dec'");
        Assert.True(code == 0, err);
        Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(file + ".dec"));

        (code, _, err) = Wd($"rsa keygen --mode broker --bits 2048 --out '{PathOf("k.pem")}' --pubout '{PathOf("k.pub")}'", env: env);
        Assert.True(code == 0, err);
        (code, _, err) = Wd($"rsa sign --mode broker --key '{PathOf("k.pem")}' --out '{file}.sig' '{file}'", env: env);
        Assert.True(code == 0, err);
        (code, output, err) = Run("openssl", $"dgst -sha256 -verify '{PathOf("k.pub")}' -signature '{file}.sig' '{file}'");
        Assert.True(code == 0, err);
        Assert.Contains("Verified OK", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ListShowsTheCryptoDevicesWithTheirAlgorithms()
    {
        (int code, string output, string err) = Wd("list --json --mode local");
        Assert.True(code == 0, err);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Dictionary<string, string> algorithms = json.RootElement.EnumerateArray().ToDictionary(
            d => d.GetProperty("name").GetString()!, d => d.GetProperty("attributes").GetProperty("algorithms").GetString()!);
        Assert.Equal("cipher digest aead", algorithms["sec-0"]);
        Assert.Equal("rsa dh ecdsa ecdh x25519 ed25519 sm2", algorithms["hpre-0"]);
    }

    [Fact]
    public void DigestPrintsWhatSha256sumPrints()
    {
        // Empty, small, and larger than one 1 MiB piece (first, middle and final requests).
        string[] files = [Write("empty", []), Write("small", "abc"u8.ToArray()), Write("large", RandomNumberGenerator.GetBytes((3 << 20) + 5))];
        string names = string.Join(' ', files.Select(f => $"'{f}'"));
        (int code, string output, string err) = Wd($"digest -a sha256 {names}");
        Assert.True(code == 0, err);
        (int sumCode, string expected, _) = Run("sha256sum", names);
        Assert.Equal(0, sumCode);
        Assert.Equal(expected, output);

        (code, output, _) = Wd("digest -a sha256 -", stdinFile: files[2]);
        Assert.Equal(0, code);
        Assert.Equal(expected.Split('\n')[2].Split(' ')[0] + "  -\n", output);
    }

    [Theory]
    [InlineData("sha512", "-sha512")]
    [InlineData("sm3", "-sm3")]
    [InlineData("sha3-256", "-sha3-256")]
    public void DigestMatchesOpenssl(string algorithm, string opensslFlag)
    {
        string file = Write("data", RandomNumberGenerator.GetBytes((1 << 20) + 333));
        (int code, string output, string err) = Wd($"digest -a {algorithm} '{file}'");
        Assert.True(code == 0, err);
        (int sslCode, string expected, string sslErr) = Run("openssl", $"dgst {opensslFlag} -r '{file}'");
        Assert.True(sslCode == 0, sslErr);
        Assert.Equal(expected.Split(' ')[0], output.Split(' ')[0]);
    }

    [Fact]
    public void HmacMatchesOpenssl()
    {
        byte[] key = RandomNumberGenerator.GetBytes(40);
        string keyFile = Write("key", key);
        string file = Write("data", RandomNumberGenerator.GetBytes(100_000));
        (int code, string output, string err) = Wd($"digest -a sha256 --hmac --key-file '{keyFile}' '{file}'");
        Assert.True(code == 0, err);
        (_, string expected, _) = Run("openssl", $"dgst -sha256 -mac HMAC -macopt hexkey:{Convert.ToHexStringLower(key)} -r '{file}'");
        Assert.Equal(expected.Split(' ')[0], output.Split(' ')[0]);
    }

    [Theory]
    [InlineData("aes-256-cbc", 32)]
    [InlineData("aes-128-ctr", 16)]
    [InlineData("sm4-cbc", 16)]
    public void CipherOutputDecryptsWithOpensslAndBack(string algorithm, int keyLength)
    {
        byte[] key = RandomNumberGenerator.GetBytes(keyLength);
        byte[] iv = RandomNumberGenerator.GetBytes(16);
        byte[] data = RandomNumberGenerator.GetBytes((2 << 20) + 7); // three requests: the IV carries over
        string keyFile = Write("key", key), input = Write("plain", data);
        string opensslKeys = $"-K {Convert.ToHexStringLower(key)} -iv {Convert.ToHexStringLower(iv)}";

        (int code, _, string err) = Wd($"cipher -a {algorithm} -e --key-file '{keyFile}' --iv {Convert.ToHexStringLower(iv)} '{input}' -o '{input}.enc'");
        Assert.True(code == 0, err);
        (code, _, err) = Run("openssl", $"enc -d -{algorithm} {opensslKeys} -in '{input}.enc' -out '{input}.dec'");
        Assert.True(code == 0, err);
        Assert.Equal(data, File.ReadAllBytes(input + ".dec"));

        (code, _, err) = Run("openssl", $"enc -e -{algorithm} {opensslKeys} -in '{input}' -out '{input}.ssl'");
        Assert.True(code == 0, err);
        Assert.Equal(File.ReadAllBytes(input + ".ssl"), File.ReadAllBytes(input + ".enc"));
        (code, _, err) = Wd($"cipher -a {algorithm} -d --key-file '{keyFile}' --iv {Convert.ToHexStringLower(iv)} '{input}.ssl' -o '{input}.back'");
        Assert.True(code == 0, err);
        Assert.Equal(data, File.ReadAllBytes(input + ".back"));
    }

    [Theory]
    [InlineData("aes-256-gcm", 32)]
    [InlineData("chacha20-poly1305", 32)]
    [InlineData("aes-128-xts", 32)]
    [InlineData("des-ede3-cbc", 24)]
    public void RandomIvIsWrittenFirstAndReadBack(string algorithm, int keyLength)
    {
        string keyFile = Write("key", RandomNumberGenerator.GetBytes(keyLength));
        byte[] data = RandomNumberGenerator.GetBytes(70_001);
        string input = Write("plain", data);
        (int code, _, string err) = Wd($"cipher -a {algorithm} --key-file '{keyFile}' '{input}' -o '{input}.enc'");
        Assert.True(code == 0, err);
        (code, _, err) = Wd($"cipher -a {algorithm} -d --key-file '{keyFile}' '{input}.enc' -o '{input}.dec'");
        Assert.True(code == 0, err);
        Assert.Equal(data, File.ReadAllBytes(input + ".dec"));
    }

    [Fact]
    public void ATamperedAeadFileFailsAndWritesNothing()
    {
        string keyFile = Write("key", RandomNumberGenerator.GetBytes(32));
        string input = Write("plain", RandomNumberGenerator.GetBytes(5000));
        Assert.Equal(0, Wd($"cipher -a aes-256-gcm --key-file '{keyFile}' '{input}' -o '{input}.enc'").Code);
        byte[] sealedData = File.ReadAllBytes(input + ".enc");
        sealedData[100] ^= 1;
        File.WriteAllBytes(input + ".enc", sealedData);
        (int code, _, string err) = Wd($"cipher -a aes-256-gcm -d --key-file '{keyFile}' '{input}.enc' -o '{input}.dec'");
        Assert.Equal(1, code); // data error
        Assert.Contains("authentication failed", err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(input + ".dec"));
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void BadKeysAndMissingFilesGetOneLineAndADistinctCode()
    {
        string input = Write("plain", new byte[32]);
        string shortKey = Write("short", new byte[10]);
        (int code, _, string err) = Wd($"cipher -a aes-256-cbc --key-file '{shortKey}' --iv {new string('0', 32)} '{input}' -o '{input}.enc'");
        Assert.Equal(2, code);
        Assert.Contains("must be 32 bytes", err, StringComparison.Ordinal);
        (code, _, err) = Wd($"cipher -a aes-256-cbc --key-file '{PathOf("nope")}' '{input}' -o '{input}.enc'");
        Assert.Equal(4, code);
        Assert.Contains("no such file", err, StringComparison.Ordinal);
        (code, _, _) = Wd($"digest -a sha256 '{PathOf("nope")}'");
        Assert.Equal(4, code);
        string keyFile = Write("key", new byte[16]);
        (code, _, err) = Wd($"cipher -a aes-128-cbc -d --key-file '{keyFile}' --iv {new string('0', 32)} '{input}' -o '{input}.dec'");
        Assert.Equal(1, code); // zeros do not decrypt to valid PKCS#7 padding under this key (one chance in ~256 they would)
        Assert.Contains("bad decrypt", err, StringComparison.Ordinal);
        Assert.False(File.Exists(input + ".dec"));

        string odd = Write("odd", new byte[33]);
        (code, _, err) = Wd($"cipher -a aes-128-cbc --no-pad --key-file '{keyFile}' --iv {new string('0', 32)} '{odd}' -o '{odd}.enc'");
        Assert.Equal(1, code); // the data's fault, not the command line's
        Assert.Contains("whole 16-byte blocks", err, StringComparison.Ordinal);
        Assert.False(File.Exists(odd + ".enc"));
    }
}
