using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Tests.Crypto;

/// <summary>The RSA library through an in-process HPRE device.</summary>
public sealed class RsaSessionTestsInProcess(HpreRuntime fixture) : RsaSessionTests(fixture.Runtime), IClassFixture<HpreRuntime>;

/// <summary>The RSA library through a real wdd's HPRE device (SVA: the broker copies in and out).</summary>
public sealed class RsaSessionTestsBroker(CryptoBrokerFixture fixture) : RsaSessionTests(fixture.Runtime), IClassFixture<CryptoBrokerFixture>;

public abstract class RsaSessionTests(WdRuntime runtime)
{
    private readonly WdRuntime _runtime = runtime;

    private static readonly Lazy<RSA> s_rsa2048 = new(() => RSA.Create(2048));
    private static readonly Lazy<RSA> s_rsa1024 = new(() => RSA.Create(1024));

    [Theory]
    [InlineData(2048, "SHA256")]
    [InlineData(2048, "SHA1")]
    [InlineData(1024, "SHA384")]
    [InlineData(1024, "SHA512")]
    public void Pkcs1SignatureEqualsTheRuntimes(int bits, string hashName)
    {
        RSA rsa = bits == 2048 ? s_rsa2048.Value : s_rsa1024.Value;
        var hashAlgorithm = new HashAlgorithmName(hashName);
        byte[] hash = Hash(hashAlgorithm, "message"u8);
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        Assert.Equal(RsaKeyFormat.PrivateCrt, key.Format);
        Assert.Equal(bits, key.ModulusBits);
        using var session = new RsaSession(key, _runtime);
        byte[] signature = new byte[session.ModulusBytes];
        Assert.Equal(bits / 8, session.SignHash(hash, signature, hashAlgorithm, RSASignaturePadding.Pkcs1));
        Assert.Equal(rsa.SignHash(hash, hashAlgorithm, RSASignaturePadding.Pkcs1), signature);
        Assert.True(session.VerifyHash(hash, signature, hashAlgorithm, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void CrtAndNonCrtKeysSignAlike()
    {
        RSA rsa = s_rsa2048.Value;
        RSAParameters p = rsa.ExportParameters(true);
        byte[] hash = SHA256.HashData("crt"u8);
        using RsaKey crt = RsaKey.FromParameters(p);
        using RsaKey plain = RsaKey.FromParameters(new RSAParameters { Modulus = p.Modulus, Exponent = p.Exponent, D = p.D });
        Assert.Equal(RsaKeyFormat.Private, plain.Format);
        using var a = new RsaSession(crt, _runtime);
        using var b = new RsaSession(plain, _runtime);
        byte[] sa = new byte[256], sb = new byte[256];
        a.SignHash(hash, sa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        b.SignHash(hash, sb, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.Equal(sa, sb);
        byte[] pss = new byte[256];
        b.SignHash(hash, pss, HashAlgorithmName.SHA256, RSASignaturePadding.Pss);
        Assert.True(rsa.VerifyHash(hash, pss, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
    }

    [Theory]
    [InlineData("SHA256")]
    [InlineData("SHA512")]
    public void PssRoundTripsWithTheRuntime(string hashName)
    {
        RSA rsa = s_rsa2048.Value;
        var hashAlgorithm = new HashAlgorithmName(hashName);
        byte[] hash = Hash(hashAlgorithm, "pss"u8);
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[] signature = new byte[256];
        session.SignHash(hash, signature, hashAlgorithm, RSASignaturePadding.Pss);
        Assert.True(rsa.VerifyHash(hash, signature, hashAlgorithm, RSASignaturePadding.Pss));

        using RsaKey publicKey = key.PublicKey;
        using var verifier = new RsaSession(publicKey, _runtime);
        byte[] theirs = rsa.SignHash(hash, hashAlgorithm, RSASignaturePadding.Pss);
        Assert.True(verifier.VerifyHash(hash, theirs, hashAlgorithm, RSASignaturePadding.Pss));
        theirs[10] ^= 1;
        Assert.False(verifier.VerifyHash(hash, theirs, hashAlgorithm, RSASignaturePadding.Pss));
        Assert.False(verifier.VerifyHash(hash, signature, hashAlgorithm, RSASignaturePadding.Pkcs1));
    }

    public static TheoryData<string> EncryptionPaddings() => new() { "pkcs1", "SHA1", "SHA256", "SHA384", "SHA512" };

    private static RSAEncryptionPadding Padding(string name) =>
        name == "pkcs1" ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.CreateOaep(new HashAlgorithmName(name));

    [Theory]
    [MemberData(nameof(EncryptionPaddings))]
    public void EncryptionRoundTripsWithTheRuntime(string paddingName)
    {
        RSAEncryptionPadding padding = Padding(paddingName);
        RSA rsa = s_rsa2048.Value;
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[] message = RandomNumberGenerator.GetBytes(62);

        byte[] ciphertext = rsa.Encrypt(message, padding);
        byte[] plain = new byte[256];
        int n = session.Decrypt(ciphertext, plain, padding);
        Assert.Equal(message, plain[..n]);

        using RsaKey publicKey = key.PublicKey;
        using var encryptor = new RsaSession(publicKey, _runtime);
        byte[] ours = new byte[256];
        Assert.Equal(256, encryptor.Encrypt(message, ours, padding));
        Assert.Equal(message, rsa.Decrypt(ours, padding));
    }

    [Fact]
    public void TamperedCiphertextThrowsCryptographicException()
    {
        RSA rsa = s_rsa2048.Value;
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[] ciphertext = rsa.Encrypt("secret"u8.ToArray(), RSAEncryptionPadding.OaepSHA256);
        ciphertext[5] ^= 0x40;
        Assert.Throws<CryptographicException>(() => session.Decrypt(ciphertext, new byte[256], RSAEncryptionPadding.OaepSHA256));
    }

    [Fact]
    public async Task RawRoundTrips()
    {
        using RsaKey key = RsaKey.FromRsa(s_rsa2048.Value, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[] m = RandomNumberGenerator.GetBytes(256);
        m[0] = 0x01;
        byte[] c = new byte[256], back = new byte[256];
        session.EncryptRaw(m, c);
        Assert.Equal(256, session.DecryptRaw(c, back));
        Assert.Equal(m, back);

        byte[] c2 = new byte[256], back2 = new byte[256];
        Assert.Equal(256, await session.EncryptRawAsync(m, c2));
        Assert.Equal(c, c2); // raw RSA is deterministic
        Assert.Equal(256, await session.DecryptRawAsync(c2, back2));
        Assert.Equal(m, back2);
    }

    [Fact]
    public void DeviceKeyGenImportsIntoTheRuntime()
    {
        using RsaKey key = RsaSession.GenerateKey(2048, _runtime);
        Assert.Equal(RsaKeyFormat.PrivateCrt, key.Format);
        Assert.Equal(2048, key.ModulusBits);
        using var rsa = RSA.Create();
        RSAParameters p = key.ToParameters();
        rsa.ImportParameters(p);
        byte[] hash = SHA256.HashData("keygen"u8);
        byte[] theirs = rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var session = new RsaSession(key, _runtime);
        byte[] ours = new byte[256];
        session.SignHash(hash, ours, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.Equal(theirs, ours);

        using RsaKey fromPem = RsaKey.FromPem(key.ToPem(includePrivate: true));
        Assert.Equal(RsaKeyFormat.PrivateCrt, fromPem.Format);
        using RsaKey publicPem = RsaKey.FromPem(key.ToPem(includePrivate: false));
        Assert.Equal(RsaKeyFormat.Public, publicPem.Format);
        Assert.Equal(p.Modulus, publicPem.ToParameters().Modulus);
    }

    [Fact]
    public async Task ParallelAsyncSignaturesAllVerify()
    {
        RSA rsa = s_rsa2048.Value;
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[][] hashes = [.. Enumerable.Range(0, 32).Select(i => SHA256.HashData(BitConverter.GetBytes(i)))];
        byte[][] signatures = [.. hashes.Select(_ => new byte[256])];
        RSASignaturePadding[] paddings = [RSASignaturePadding.Pkcs1, RSASignaturePadding.Pss];
        int[] lengths = await Task.WhenAll(hashes.Select((h, i) =>
            session.SignHashAsync(h, signatures[i], HashAlgorithmName.SHA256, paddings[i % 2]).AsTask()));
        Assert.All(lengths, n => Assert.Equal(256, n));
        for (int i = 0; i < 32; i++)
        {
            Assert.True(rsa.VerifyHash(hashes[i], signatures[i], HashAlgorithmName.SHA256, paddings[i % 2]), $"signature {i}");
        }

        bool[] verified = await Task.WhenAll(hashes.Select((h, i) =>
            session.VerifyHashAsync(h, signatures[(i + (i % 3 == 0 ? 1 : 0)) % 32], HashAlgorithmName.SHA256, paddings[i % 2]).AsTask()));
        for (int i = 0; i < 32; i++)
        {
            Assert.Equal(i % 3 != 0, verified[i]);
        }

        byte[] ciphertext = new byte[256], plain = new byte[256];
        Assert.Equal(256, await session.EncryptAsync("async"u8.ToArray(), ciphertext, RSAEncryptionPadding.OaepSHA1));
        Assert.Equal("async"u8.ToArray(), plain[..await session.DecryptAsync(ciphertext, plain, RSAEncryptionPadding.OaepSHA1)]);
    }

    [Fact]
    public async Task ParameterErrorsThrowBeforeAnythingIsQueued()
    {
        using RsaKey key = RsaKey.FromRsa(s_rsa2048.Value, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        uint errors = session.QueueErrors; // the queue is shared with the class's other tests
        byte[] hash = SHA256.HashData("x"u8);
        byte[] signature = new byte[256];
        Assert.Contains("32 bytes", Assert.Throws<ArgumentException>(() => session.SignHash(hash.AsSpan(0, 20), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Message);
        Assert.Contains("256 bytes", Assert.Throws<ArgumentException>(() => session.SignHash(hash, new byte[255], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Message);
        Assert.Throws<ArgumentException>(() => session.SignHash(hash, signature, HashAlgorithmName.MD5, RSASignaturePadding.Pkcs1));
        Assert.Throws<ArgumentException>(() => session.VerifyHash(hash, new byte[255], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Contains("245", Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[246], new byte[256], RSAEncryptionPadding.Pkcs1)).Message);
        Assert.Contains("190", Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[191], new byte[256], RSAEncryptionPadding.OaepSHA256)).Message);
        Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[10], new byte[255], RSAEncryptionPadding.Pkcs1));
        Assert.Throws<ArgumentException>(() => session.Decrypt(new byte[255], new byte[256], RSAEncryptionPadding.Pkcs1));
        Assert.Throws<ArgumentException>(() => session.EncryptRaw(new byte[255], new byte[256]));
        Assert.Throws<ArgumentException>(() => session.EncryptRaw(Enumerable.Repeat((byte)0xFF, 256).ToArray(), new byte[256]));
        Assert.Throws<ArgumentOutOfRangeException>(() => RsaSession.GenerateKey(1000, _runtime));
        using (RsaKey small = RsaKey.FromRsa(s_rsa1024.Value, includePrivate: true))
        using (var smallSession = new RsaSession(small, _runtime))
        {
            // 1024-bit PSS with SHA-512: 64-byte hash + 64-byte salt + 2 > 128 bytes.
            Assert.Contains("PSS", Assert.Throws<ArgumentException>(() => smallSession.SignHash(SHA512.HashData("x"u8), new byte[128], HashAlgorithmName.SHA512, RSASignaturePadding.Pss)).Message);
        }

        await Assert.ThrowsAsync<ArgumentException>(async () => await session.SignHashAsync(hash.AsMemory(0, 20), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using RsaKey publicKey = key.PublicKey;
        using var verifier = new RsaSession(publicKey, _runtime);
        Assert.Throws<InvalidOperationException>(() => verifier.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(errors, session.QueueErrors);
        Assert.Equal(256, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(errors, session.QueueErrors);
        Assert.Throws<ArgumentException>(() => RsaKey.FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
    }

    private static byte[] Hash(HashAlgorithmName name, ReadOnlySpan<byte> data) => name.Name switch
    {
#pragma warning disable CA5350 // SHA-1 is one of the hashes the device offers; tested, not recommended
        "SHA1" => SHA1.HashData(data),
#pragma warning restore CA5350
        "SHA384" => SHA384.HashData(data),
        "SHA512" => SHA512.HashData(data),
        _ => SHA256.HashData(data),
    };
}
