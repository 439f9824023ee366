using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using static WarpDrive.Tests.Crypto.Vectors;

namespace WarpDrive.Tests.Crypto;

/// <summary>The SEC libraries (cipher, digest, aead) through an in-process device.</summary>
public sealed class SecSessionTestsInProcess() : SecSessionTests(new WdRuntime(new WdRuntimeOptions
{
    MixMode = false, // requests go to the device under test, not to Mix mode's inline one
    Mode = WdDeviceMode.Local,
    EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 4, WorkerCount = 1, QueueDepth = 64 },
}));

/// <summary>The SEC libraries through a real wdd (SVA: the broker copies in and out of this process).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class SecSessionTestsBroker(CryptoBrokerFixture fixture)
    : SecSessionTests(fixture.Broker.CreateRuntime("sec-0")), IClassFixture<CryptoBrokerFixture>;

/// <summary>The SEC libraries against published vectors, through whichever device the runtime finds.</summary>
public abstract class SecSessionTests(WdRuntime runtime) : IDisposable
{
    protected WdRuntime Runtime { get; } = runtime;

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        Runtime.Dispose();
    }

    // NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt), F.5.1 (CTR-AES128.Encrypt).
    private static readonly byte[] s_sp80038aKey = Hex("2b7e151628aed2a6abf7158809cf4f3c");
    private static readonly byte[] s_sp80038aPlain = Hex(
        "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51 30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710");

    [Fact]
    public void AesCbcMatchesSp80038a()
    {
        byte[] iv = Hex("000102030405060708090a0b0c0d0e0f");
        byte[] expected = Hex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2 73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7");
        using var session = new CipherSession(CipherAlgorithm.AesCbc, s_sp80038aKey, Runtime);
        byte[] ciphertext = new byte[64];
        Assert.Equal(64, session.Encrypt(iv, s_sp80038aPlain, ciphertext));
        Assert.Equal(expected, ciphertext);
        byte[] plain = new byte[64];
        Assert.Equal(64, session.Decrypt(iv, ciphertext, plain));
        Assert.Equal(s_sp80038aPlain, plain);
    }

    [Fact]
    public void AesCtrMatchesSp80038aOverAnOddLength()
    {
        byte[] counter = Hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        byte[] expected = Hex("874d6191b620e3261bef6864990db6ce 9806f66b7970fdff8617187bb9fffdff 5ae4df3edbd5d35e5b4f09020db03eab 1e031dda2fbe03d1792170a0f3009cee");
        using var session = new CipherSession(CipherAlgorithm.AesCtr, s_sp80038aKey, Runtime);
        byte[] ciphertext = new byte[61]; // CTR takes any length: the last block is cut short
        Assert.Equal(61, session.Encrypt(counter, s_sp80038aPlain.AsSpan(0, 61), ciphertext));
        Assert.Equal(expected[..61], ciphertext);
    }

    [Fact]
    public void Sm4EcbMatchesGbT32907Example()
    {
        // GB/T 32907-2016 appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
        byte[] key = Hex("0123456789abcdeffedcba9876543210");
        using var session = new CipherSession(CipherAlgorithm.Sm4Ecb, key, Runtime);
        byte[] ciphertext = new byte[16];
        session.Encrypt([], key, ciphertext);
        Assert.Equal(Hex("681edf34d206965e86b3e94f536e4246"), ciphertext);
    }

    [Fact]
    public void DataListInputEncryptsAsTheContiguousInput()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] iv = RandomNumberGenerator.GetBytes(16);
        byte[] data = RandomNumberGenerator.GetBytes(4096);
        using var session = new CipherSession(CipherAlgorithm.AesCbc, key, Runtime);
        byte[] contiguous = new byte[data.Length];
        session.Encrypt(iv, data, contiguous);
        ReadOnlySequence<byte> pieces = TestSequences.Split(data, 5);
        byte[] listed = new byte[data.Length];
        Assert.Equal(data.Length, session.Encrypt(iv, pieces, listed));
        Assert.Equal(contiguous, listed);
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptCbc(data, iv, PaddingMode.None), contiguous);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")] // FIPS 180-2 B.1
    [InlineData(DigestAlgorithm.Sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")]
    [InlineData(DigestAlgorithm.Md5, "900150983cd24fb0d6963f7d28e17f72")] // RFC 1321 A.5
    [InlineData(DigestAlgorithm.Sm3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")] // GB/T 32905 A.1
    public void DigestOfAbcMatchesThePublishedValue(DigestAlgorithm algorithm, string expected)
    {
        using var session = new DigestSession(algorithm, runtime: Runtime);
        byte[] hash = new byte[session.HashSize];
        Assert.Equal(session.HashSize, session.ComputeHash("abc"u8, hash));
        Assert.Equal(Hex(expected), hash);
    }

    [Fact]
    public void HmacSha256MatchesRfc4231TestCase2()
    {
        using var session = new DigestSession(DigestAlgorithm.Sha256, "Jefe"u8, DigestMode.Hmac, runtime: Runtime);
        byte[] mac = new byte[32];
        session.ComputeHash("what do ya want for nothing?"u8, mac);
        Assert.Equal(Hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"), mac);
    }

    [Fact]
    public void AesCmacMatchesRfc4493Example2()
    {
        using var session = new DigestSession(DigestAlgorithm.AesCmac, s_sp80038aKey, runtime: Runtime);
        byte[] mac = new byte[16];
        session.ComputeHash(s_sp80038aPlain.AsSpan(0, 16), mac);
        Assert.Equal(Hex("070a16b46b4d4144f79bdd9dd04a287c"), mac);
    }

    [Fact]
    public void ALongMessageFedInPiecesHashesAsOneShot()
    {
        byte[] message = RandomNumberGenerator.GetBytes(3 * 100_000 + 17);
        using var session = new DigestSession(DigestAlgorithm.Sha256, incremental: true, runtime: Runtime);
        session.Append(message.AsSpan(0, 100_000)); // first
        session.Append(message.AsSpan(100_000, 200_000)); // middle
        byte[] hash = new byte[32];
        Assert.Equal(32, session.Finish(message.AsSpan(300_000), hash)); // final
        Assert.Equal(SHA256.HashData(message), hash);

        // The session starts a new message after Finish.
        session.Append("ab"u8);
        session.Finish("c"u8, hash);
        Assert.Equal(SHA256.HashData("abc"u8), hash);
    }

    [Fact]
    public void IncrementalHmacMatchesTheRuntime()
    {
        byte[] key = RandomNumberGenerator.GetBytes(100); // longer than the block: hashed first
        byte[] message = RandomNumberGenerator.GetBytes(50_000);
        using var session = new DigestSession(DigestAlgorithm.Sha384, key, DigestMode.Hmac, incremental: true, runtime: Runtime);
        session.Append(message.AsSpan(0, 20_000));
        byte[] mac = new byte[48];
        session.Finish(message.AsSpan(20_000), mac);
        Assert.Equal(HMACSHA384.HashData(key, message), mac);
    }

    [Fact]
    public void AesGcmMatchesGcmSpecTestCase4()
    {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 4.
        byte[] key = Hex("feffe9928665731c6d6a8f9467308308");
        byte[] iv = Hex("cafebabefacedbaddecaf888");
        byte[] plain = Hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] aad = Hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] expected = Hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
                              + "5bc94fbc3221a5db94fae95ae7121a47");
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, 16, Runtime);
        byte[] sealedData = new byte[plain.Length + 16];
        Assert.Equal(sealedData.Length, session.Encrypt(iv, plain, sealedData, aad));
        Assert.Equal(expected, sealedData);
        byte[] opened = new byte[plain.Length];
        Assert.Equal(plain.Length, session.Decrypt(iv, sealedData, opened, aad));
        Assert.Equal(plain, opened);
    }

    [Fact]
    public void ChaCha20Poly1305MatchesRfc8439Section282()
    {
        byte[] key = Hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = Hex("070000004041424344454647");
        byte[] aad = Hex("50515253c0c1c2c3c4c5c6c7");
        byte[] plain = Encoding.ASCII.GetBytes("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.");
        using var session = new AeadSession(AeadAlgorithm.ChaCha20Poly1305, key, 16, Runtime);
        byte[] sealedData = new byte[plain.Length + 16];
        session.Encrypt(nonce, plain, sealedData, aad);
        Assert.Equal(Hex("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"),
            sealedData[..plain.Length]);
        Assert.Equal(Hex("1ae10b594f09e26a7e902ecbd0600691"), sealedData[plain.Length..]);
    }

    [Fact]
    public void AWrongTagReleasesNoPlaintext()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] plain = RandomNumberGenerator.GetBytes(1000);
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, 16, Runtime);
        byte[] sealedData = new byte[plain.Length + 16];
        session.Encrypt(nonce, plain, sealedData, "header"u8);
        sealedData[^1] ^= 1;
        byte[] opened = new byte[plain.Length];
        opened.AsSpan().Fill(0xAA);
        Assert.Throws<AuthenticationTagMismatchException>(() => session.Decrypt(nonce, sealedData, opened, "header"u8));
        Assert.DoesNotContain(opened, b => b != 0); // zeros, neither plaintext nor what was there

        sealedData[^1] ^= 1; // the right tag, the wrong associated data
        Assert.Throws<AuthenticationTagMismatchException>(() => session.Decrypt(nonce, sealedData, opened, "Header"u8));
    }

    [Fact]
    public async Task AsyncRequestsCompleteWithTheSyncResults()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, 16, Runtime);
        byte[][] inputs = [.. Enumerable.Range(0, 48).Select(i => RandomNumberGenerator.GetBytes(64 + (i * 37)))];
        byte[][] outputs = [.. inputs.Select(i => new byte[i.Length + 16])];
        byte[] nonce = new byte[12];
        ValueTask<int>[] pending = [.. inputs.Select((input, i) => session.EncryptAsync(nonce, input, outputs[i]))];
        for (int i = 0; i < pending.Length; i++)
        {
            Assert.Equal(inputs[i].Length + 16, await pending[i]);
            using var gcm = new AesGcm(key, 16);
            byte[] expected = new byte[inputs[i].Length];
            byte[] tag = new byte[16];
            gcm.Encrypt(nonce, inputs[i], expected, tag);
            Assert.Equal([.. expected, .. tag], outputs[i]);
        }

        byte[] bad = (byte[])outputs[0].Clone();
        bad[0] ^= 0x80;
        byte[] opened = new byte[inputs[0].Length];
        opened.AsSpan().Fill(0xAA);
        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(async () => await session.DecryptAsync(nonce, bad, opened));
        Assert.DoesNotContain(opened, b => b != 0); // zeros, in-process and through the broker alike

        session.Rekey(RandomNumberGenerator.GetBytes(32));
        await Assert.ThrowsAsync<AuthenticationTagMismatchException>(async () => await session.DecryptAsync(nonce, outputs[1], new byte[inputs[1].Length]));
    }

    [Fact]
    public async Task RekeyWaitsForTheRequestsInFlight()
    {
        byte[] key1 = RandomNumberGenerator.GetBytes(32), key2 = RandomNumberGenerator.GetBytes(32);
        byte[] counter = new byte[16];
        byte[] data = RandomNumberGenerator.GetBytes(256 << 10);
        using var session = new CipherSession(CipherAlgorithm.AesCtr, key1, Runtime);
        byte[] expected = new byte[data.Length];
        session.Encrypt(counter, data, expected);
        byte[][] outputs = [.. Enumerable.Range(0, 16).Select(_ => new byte[data.Length])];
        Task<int>[] pending = [.. outputs.Select(o => session.EncryptAsync(counter, data, o).AsTask())];
        session.Rekey(key2); // must not change the key under requests already queued
        foreach (Task<int> request in pending)
        {
            Assert.Equal(data.Length, await request);
        }

        Assert.All(outputs, o => Assert.Equal(expected, o));
        byte[] rekeyed = new byte[data.Length];
        session.Encrypt(counter, data, rekeyed);
        Assert.NotEqual(expected, rekeyed);
    }

    [Fact]
    public void CcmMessagesLongerThanTheNonceAllowsAreRefusedInTheLibrary()
    {
        using var ccm = new AeadSession(AeadAlgorithm.AesCcm, new byte[16], 16, Runtime);
        byte[] big = new byte[(1 << 16) + 1]; // a 13-byte nonce leaves a 2-byte length field: 65535 bytes at most
        var error = Assert.Throws<ArgumentException>(() => ccm.Encrypt(new byte[13], big, new byte[big.Length + 16]));
        Assert.Contains("at most 65535 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(16 + 16, ccm.Encrypt(new byte[13], new byte[16], new byte[32])); // within the limit it runs
    }

    [Fact]
    public async Task AssociatedDataTooLargeForTheScratchIsSharedInPlace()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32), nonce = RandomNumberGenerator.GetBytes(12);
        byte[] aad = RandomNumberGenerator.GetBytes(4096), plain = RandomNumberGenerator.GetBytes(300); // 4 KiB > 896 inline
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, 16, Runtime);
        using var gcm = new AesGcm(key, 16);
        byte[] expected = new byte[plain.Length], tag = new byte[16];
        gcm.Encrypt(nonce, plain, expected, tag, aad);
        byte[] sync = new byte[plain.Length + 16], async = new byte[plain.Length + 16];
        session.Encrypt(nonce, plain, sync, aad);
        Assert.Equal(plain.Length + 16, await session.EncryptAsync(nonce, plain, async, aad));
        Assert.Equal([.. expected, .. tag], sync);
        Assert.Equal(sync, async);
    }

    [Fact]
    public void DataListInputHashesAsTheContiguousInput()
    {
        byte[] data = RandomNumberGenerator.GetBytes(100_003);
        using var session = new DigestSession(DigestAlgorithm.Sha512, runtime: Runtime);
        byte[] hash = new byte[64];
        Assert.Equal(64, session.ComputeHash(TestSequences.Split(data, 7), hash));
        Assert.Equal(SHA512.HashData(data), hash);
    }

    [Fact]
    public void RekeyZeroesTheOldKeyInDeviceMemory()
    {
        byte[] key1 = RandomNumberGenerator.GetBytes(32), key2 = RandomNumberGenerator.GetBytes(16);
        using var session = new CipherSession(CipherAlgorithm.AesEcb, key1, Runtime);
        Assert.Equal(key1, session.KeyMemory[..32].ToArray());
        session.Rekey(key2);
        Assert.Equal(key2, session.KeyMemory[..16].ToArray());
        Assert.DoesNotContain(session.KeyMemory[16..].ToArray(), b => b != 0); // nothing of the old key is left
    }

    [Fact]
    public void ParameterErrorsAreRejectedBeforeQueuing()
    {
        Assert.Contains("does not take a 15-byte key", Assert.Throws<ArgumentException>(() => new CipherSession(CipherAlgorithm.AesCbc, new byte[15], Runtime)).Message);
        using var cbc = new CipherSession(CipherAlgorithm.AesCbc, new byte[16], Runtime);
        Assert.Contains("16-byte IV", Assert.Throws<ArgumentException>(() => cbc.Encrypt(new byte[8], new byte[16], new byte[16])).Message);
        Assert.Contains("whole 16-byte blocks", Assert.Throws<ArgumentException>(() => cbc.Encrypt(new byte[16], new byte[17], new byte[32])).Message);
        Assert.Throws<ArgumentException>(() => cbc.Encrypt(new byte[16], new byte[32], new byte[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AeadSession(AeadAlgorithm.AesGcm, new byte[16], 8, Runtime));
        using var gcm = new AeadSession(AeadAlgorithm.AesGcm, new byte[16], 16, Runtime);
        Assert.Contains("nonce", Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[8], new byte[4], new byte[20])).Message);
        Assert.Throws<ArgumentException>(() => new DigestSession(DigestAlgorithm.Sha256, new byte[4], runtime: Runtime));
        using var oneShot = new DigestSession(DigestAlgorithm.Sha256, runtime: Runtime);
        Assert.Throws<InvalidOperationException>(() => oneShot.Append("x"u8));
    }
}

/// <summary>Without background polling, asynchronous requests complete when the application polls (UADK's
/// wd_cipher_poll).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class SecPollTests
{
    [Fact]
    public async Task AsyncRequestsCompleteThroughPoll()
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions
        {
            MixMode = false, // requests go to the device under test, not to Mix mode's inline one
            Mode = WdDeviceMode.Local,
            BackgroundPolling = false,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 2, WorkerCount = 1, QueueDepth = 16 },
        });
        byte[] key = RandomNumberGenerator.GetBytes(16);
        using var session = new CipherSession(CipherAlgorithm.AesCbc, key, runtime);
        byte[] iv = new byte[16], data = RandomNumberGenerator.GetBytes(4096), output = new byte[4096];
        ValueTask<int> pending = session.EncryptAsync(iv, data, output);
        int polled = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!pending.IsCompleted && DateTime.UtcNow < deadline)
        {
            polled += session.Poll();
            await Task.Yield();
        }

        Assert.Equal(1, polled);
        Assert.Equal(4096, await pending);
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptCbc(data, iv, PaddingMode.None), output);
    }
}

/// <summary>A broker SEC device that offers SHARE only: the device reaches nothing but regions the broker made, so the
/// session's key and request scratch come from reserved memory, and the data must too.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class SecShareOnlyTests(CryptoBrokerFixture fixture) : IClassFixture<CryptoBrokerFixture>
{
    [Fact]
    public void CipherAndDigestRunOnReservedMemory()
    {
        using WdRuntime runtime = fixture.Broker.CreateRuntime("sec-1");
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] iv = RandomNumberGenerator.GetBytes(16);
        byte[] data = RandomNumberGenerator.GetBytes(8192);
        using WdSharedMemory input = runtime.ReserveMemory(data.Length);
        using WdSharedMemory output = runtime.ReserveMemory(data.Length);
        data.CopyTo(input.GetSpan());
        using var session = new CipherSession(CipherAlgorithm.AesCbc, key, runtime);
        Assert.False(session.Device.HasSva);
        Assert.Equal(data.Length, session.Encrypt(iv, input.GetSpan(), output.GetSpan()));
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptCbc(data, iv, PaddingMode.None), output.GetSpan().ToArray());

        // Ordinary managed memory is out of this device's reach: ADDRESS_FAULT, reported as such.
        var error = Assert.Throws<WdException>(() => session.Encrypt(iv, data, new byte[data.Length]));
        Assert.Contains("AddressFault", error.Message, StringComparison.Ordinal);

        using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        using WdSharedMemory hash = runtime.ReserveMemory(32);
        sha.ComputeHash(input.GetSpan(), hash.GetSpan());
        Assert.Equal(SHA256.HashData(data), hash.GetSpan().ToArray());
    }
}
