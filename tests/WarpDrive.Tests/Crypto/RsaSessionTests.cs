using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Tests.Crypto;

/// <summary>The RSA library through an in-process HPRE device.</summary>
public sealed class RsaSessionTestsInProcess(HpreRuntime fixture) : RsaSessionTests(fixture.Runtime), IClassFixture<HpreRuntime>;

/// <summary>The RSA library through a real wdd's HPRE device (SVA: the broker copies in and out).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
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
        Assert.Contains("245", Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[246], new byte[256], RSAEncryptionPadding.Pkcs1)).Message);
        Assert.Contains("190", Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[191], new byte[256], RSAEncryptionPadding.OaepSHA256)).Message);
        Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[10], new byte[255], RSAEncryptionPadding.Pkcs1));
        Assert.Throws<ArgumentException>(() => session.Decrypt(new byte[256], new byte[244], RSAEncryptionPadding.Pkcs1));
        Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[10], new byte[256], RSAEncryptionPadding.Pkcs1, "label"u8));
        Assert.Throws<ArgumentException>(() => session.Decrypt(new byte[256], new byte[256], RSAEncryptionPadding.Pkcs1, "label"u8));
        Assert.Throws<ArgumentException>(() => session.Encrypt(new byte[10], new byte[256], RSAEncryptionPadding.OaepSHA256, new byte[CryptoParams.MaxFieldLength + 1]));
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

    /// <summary>A signature of the wrong length does not verify (false, as RSA.VerifyHash answers), sync and async,
    /// and costs the device nothing; one of the right length that is not a signature (all ones: above the modulus)
    /// does not verify either: the device answers it AUTH_FAILED.</summary>
    [Theory]
    [InlineData("Pkcs1")]
    [InlineData("Pss")]
    public async Task SignaturesOfTheWrongLengthDoNotVerify(string paddingName)
    {
        RSASignaturePadding padding = paddingName == "Pss" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        RSA rsa = s_rsa2048.Value;
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: false);
        using var session = new RsaSession(key, _runtime);
        byte[] hash = SHA256.HashData("length"u8);
        byte[] signature = rsa.SignHash(hash, HashAlgorithmName.SHA256, padding);
        uint errors = session.QueueErrors;
        Assert.True(session.VerifyHash(hash, signature, HashAlgorithmName.SHA256, padding)); // the control: it can say true
        Assert.True(await session.VerifyHashAsync(hash, signature, HashAlgorithmName.SHA256, padding));
        byte[][] wrong = [[], signature[..^1], [.. signature, 0], [0, .. signature], new byte[512]];
        foreach (byte[] bad in wrong)
        {
            Assert.False(rsa.VerifyHash(hash, bad, HashAlgorithmName.SHA256, padding)); // what .NET answers
            Assert.False(session.VerifyHash(hash, bad, HashAlgorithmName.SHA256, padding));
            Assert.False(await session.VerifyHashAsync(hash, bad, HashAlgorithmName.SHA256, padding));
        }

        Assert.Equal(errors, session.QueueErrors); // nothing was sent (an AUTH_FAILED completion would count)

        // Right length, but no signature at all: the device answers AUTH_FAILED (false), not a fault (which would throw).
        byte[] aboveModulus = Enumerable.Repeat((byte)0xFF, 256).ToArray();
        Assert.False(session.VerifyHash(hash, aboveModulus, HashAlgorithmName.SHA256, padding));
        Assert.False(await session.VerifyHashAsync(hash, aboveModulus, HashAlgorithmName.SHA256, padding));
    }

    /// <summary>A ciphertext of the wrong length throws CryptographicException (as RSA.Decrypt does), sync and async
    /// (the task faults), for PKCS#1 and OAEP; a right-length one still decrypts on the same session.</summary>
    [Theory]
    [InlineData("Pkcs1")]
    [InlineData("OaepSHA256")]
    public async Task CiphertextsOfTheWrongLengthThrowCryptographicException(string paddingName)
    {
        RSAEncryptionPadding padding = paddingName == "Pkcs1" ? RSAEncryptionPadding.Pkcs1 : RSAEncryptionPadding.OaepSHA256;
        RSA rsa = s_rsa2048.Value;
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[] ciphertext = rsa.Encrypt("length"u8.ToArray(), padding);
        byte[] plain = new byte[256];
        uint errors = session.QueueErrors;
        byte[][] wrong = [[], ciphertext[..^1], [.. ciphertext, 0], [0, .. ciphertext]];
        foreach (byte[] bad in wrong)
        {
            Assert.ThrowsAny<CryptographicException>(() => rsa.Decrypt(bad, padding)); // what .NET answers
            Assert.Contains("256 bytes", Assert.Throws<CryptographicException>(() => session.Decrypt(bad, plain, padding)).Message);
            ValueTask<int> pending = session.DecryptAsync(bad, plain, padding); // returns: the task carries the error
            await Assert.ThrowsAsync<CryptographicException>(async () => await pending);
        }

        Assert.Equal(errors, session.QueueErrors);
        Assert.Equal("length"u8.ToArray(), plain[..session.Decrypt(ciphertext, plain, padding)]);
    }

    /// <summary>The OAEP label reaches the device: a ciphertext made with a label opens with that label only, and it is
    /// RFC 8017's label (BouncyCastle's OAEP with the same label opens the device's ciphertext and makes one the device
    /// opens); sync and async.</summary>
    [Theory]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    [InlineData("SHA512")]
    public async Task OaepLabelBindsTheCiphertext(string hashName)
    {
        var hashAlgorithm = new HashAlgorithmName(hashName);
        RSAEncryptionPadding padding = RSAEncryptionPadding.CreateOaep(hashAlgorithm);
        RSA rsa = s_rsa2048.Value;
        RSAParameters p = rsa.ExportParameters(true);
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        using var session = new RsaSession(key, _runtime);
        byte[] message = "labelled message"u8.ToArray();
        byte[] label = "context: tenant 7"u8.ToArray();
        byte[] ciphertext = new byte[256], plain = new byte[256];
        Assert.Equal(256, session.Encrypt(message, ciphertext, padding, label));

        Assert.Equal(message, plain[..session.Decrypt(ciphertext, plain, padding, label)]);
        Assert.Throws<CryptographicException>(() => session.Decrypt(ciphertext, plain, padding)); // no label
        Assert.Throws<CryptographicException>(() => session.Decrypt(ciphertext, plain, padding, "context: tenant 8"u8));
        Assert.ThrowsAny<CryptographicException>(() => rsa.Decrypt(ciphertext, padding)); // .NET knows no label

        // An independent OAEP with the same label agrees both ways.
        var bcPrivate = new Org.BouncyCastle.Crypto.Parameters.RsaPrivateCrtKeyParameters(Big(p.Modulus!), Big(p.Exponent!), Big(p.D!), Big(p.P!),
            Big(p.Q!), Big(p.DP!), Big(p.DQ!), Big(p.InverseQ!));
        var bcPublic = new Org.BouncyCastle.Crypto.Parameters.RsaKeyParameters(false, Big(p.Modulus!), Big(p.Exponent!));
        Assert.Equal(message, Oaep(hashName, forEncryption: false, bcPrivate, label, ciphertext));
        byte[] theirs = Oaep(hashName, forEncryption: true, bcPublic, label, message);
        Array.Clear(plain);
        Assert.Equal(message, plain[..session.Decrypt(theirs, plain, padding, label)]);

        // The asynchronous forms carry the label too.
        byte[] sealedAsync = new byte[256];
        Assert.Equal(256, await session.EncryptAsync(message, sealedAsync, padding, label));
        Assert.Equal(message, Oaep(hashName, forEncryption: false, bcPrivate, label, sealedAsync));
        Array.Clear(plain);
        Assert.Equal(message, plain[..await session.DecryptAsync(sealedAsync, plain, padding, label)]);
        await Assert.ThrowsAsync<CryptographicException>(async () => await session.DecryptAsync(sealedAsync, plain, padding));

        // An empty label is no label: the runtime's OAEP opens it.
        Assert.Equal(256, session.Encrypt(message, ciphertext, padding, ReadOnlySpan<byte>.Empty));
        Assert.Equal(message, rsa.Decrypt(ciphertext, padding));
    }

    private static Org.BouncyCastle.Math.BigInteger Big(byte[] bigEndian) => new(1, bigEndian);

    private static byte[] Oaep(string hashName, bool forEncryption, Org.BouncyCastle.Crypto.ICipherParameters key, byte[] label, byte[] input)
    {
        Org.BouncyCastle.Crypto.IDigest Digest() => hashName switch
        {
            "SHA1" => new Org.BouncyCastle.Crypto.Digests.Sha1Digest(),
            "SHA256" => new Org.BouncyCastle.Crypto.Digests.Sha256Digest(),
            _ => new Org.BouncyCastle.Crypto.Digests.Sha512Digest(),
        };
        var oaep = new Org.BouncyCastle.Crypto.Encodings.OaepEncoding(new Org.BouncyCastle.Crypto.Engines.RsaEngine(), Digest(), Digest(), label);
        oaep.Init(forEncryption, forEncryption ? new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(key, new Org.BouncyCastle.Security.SecureRandom()) : key);
        return oaep.ProcessBlock(input, 0, input.Length);
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
