using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Drivers;
using WarpDrive.Tests.Sec;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Uacce;

/// <summary>The hardware tier for SEC: the same published vectors as <see cref="HisiSecDriverTests"/> and
/// <see cref="HisiSecAeadTests"/> on the machine's
/// own hisi_sec2 devices (<c>/sys/class/uacce</c>, kernel mode), each request checked to have run on the engine.
/// Skipped where this user can open no kernel SEC device (<see cref="KernelSecFactAttribute"/>).</summary>
[Trait(Tiers.Name, Tiers.Hardware)]
public sealed class HisiSecHardwareTests : IDisposable
{
    private readonly WdRuntime _runtime = new(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Kernel });

    /// <summary>Requests the engine ran (not software) on every SEC context of the runtime.</summary>
    private long EngineRequests() => _runtime.ContextsOnDevice(_runtime.CandidateDevices("cipher")[0])
        .Select(c => c.Queue.Driver).OfType<HisiSecDriver>().Sum(d => d.EngineRequests);

    [KernelSecTheory]
    [MemberData(nameof(SecCipherTests.XtsVectors), MemberType = typeof(SecCipherTests))]
    public void Ieee1619XtsOnTheEngine(string key, string tweak, string plaintext, string ciphertext)
    {
        using var session = new CipherSession(CipherAlgorithm.AesXts, Hex(key), _runtime);
        byte[] output = new byte[plaintext.Length / 2];
        Assert.Equal(output.Length, session.Encrypt(Hex(tweak), Hex(plaintext), output));
        Assert.Equal(ciphertext, ToHex(output));
        Assert.Equal(1, EngineRequests());
    }

    [KernelSecTheory]
    [MemberData(nameof(SecDigestTests.AbcVectors), MemberType = typeof(SecDigestTests))]
    public void AbcDigestsOnTheEngine(DigestAlgorithm algorithm, string expected)
    {
        if (algorithm is DigestAlgorithm.Sha3_256 or DigestAlgorithm.Sha3_512)
        {
            return; // SHA-3 is not on a type-2 BD: software runs it (HisiSecDriverTests)
        }

        using var session = new DigestSession(algorithm, runtime: _runtime);
        byte[] output = new byte[session.HashSize];
        Assert.Equal(output.Length, session.ComputeHash("abc"u8, output));
        Assert.Equal(expected, ToHex(output));
        Assert.Equal(1, EngineRequests());
    }

    [KernelSecFact]
    public void GbT32907Sm4AndHmacSha256OnTheEngine()
    {
        byte[] k = Hex("0123456789abcdeffedcba9876543210"), output = new byte[16];
        using (var sm4 = new CipherSession(CipherAlgorithm.Sm4Ecb, k, _runtime))
        {
            Assert.Equal(16, sm4.Encrypt(default, k, output));
        }

        Assert.Equal("681edf34d206965e86b3e94f536e4246", ToHex(output));
        byte[] key = RandomNumberGenerator.GetBytes(32), message = RandomNumberGenerator.GetBytes(1 << 20), mac = new byte[32];
        using (var hmac = new DigestSession(DigestAlgorithm.Sha256, key, DigestMode.Hmac, runtime: _runtime))
        {
            Assert.Equal(32, hmac.ComputeHash(message, mac));
        }

        Assert.Equal(HMACSHA256.HashData(key, message), mac);
        Assert.Equal(2, EngineRequests());
    }

    [KernelSecTheory]
    [MemberData(nameof(SecAeadTests.Vectors), MemberType = typeof(SecAeadTests))]
    public void GcmAndCcmVectorsOnTheEngineAndATamperedTagFails(AeadAlgorithm algorithm, string key, string nonce, string aad, string plaintext,
        string ciphertext, string tag)
    {
        if (algorithm is not (AeadAlgorithm.AesGcm or AeadAlgorithm.AesCcm))
        {
            return; // not on a type-2 BD: software runs it (HisiSecAeadTests)
        }

        using var session = new AeadSession(algorithm, Hex(key), tag.Length / 2, _runtime);
        byte[] sealedData = new byte[(plaintext.Length + tag.Length) / 2], opened = new byte[plaintext.Length / 2];
        Assert.Equal(sealedData.Length, session.Encrypt(Hex(nonce), Hex(plaintext), sealedData, Hex(aad)));
        Assert.Equal(ciphertext + tag, ToHex(sealedData));
        Assert.Equal(opened.Length, session.Decrypt(Hex(nonce), sealedData, opened, Hex(aad)));
        Assert.Equal(plaintext, ToHex(opened));
        Assert.Equal(2, EngineRequests());
        sealedData[^1] ^= 1;
        _ = Assert.Throws<AuthenticationTagMismatchException>(() => session.Decrypt(Hex(nonce), sealedData, opened, Hex(aad)));
        Assert.Equal(new byte[opened.Length], opened);
    }

    public void Dispose() => _runtime.Dispose();
}
