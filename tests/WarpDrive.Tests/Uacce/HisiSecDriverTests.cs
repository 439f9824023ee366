using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Drivers;
using WarpDrive.Tests.Sec;
using WarpDrive.TestSupport.HisiQm;
using WarpDrive.TestSupport.HisiSec;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Uacce;

/// <summary>libwd's hisi_sec2 driver, end to end through the kernel transport on the device model of that hardware
/// (a fake /sys/class/uacce and /dev, queue files from <see cref="HisiSecModel"/>): the crypto sessions run unchanged,
/// published vectors pass, and what a type-2 BD lacks runs in software (the inline SEC device), counted.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class HisiSecDriverTests : IDisposable
{
    private const string Plain38A = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

    private readonly List<KernelSec> _owned = [];

    private (HisiSecModel Model, WdRuntime Runtime) Start()
    {
        var sec = new KernelSec();
        _owned.Add(sec);
        return (sec.Model, sec.Runtime);
    }

    private static byte[] Encrypt(WdRuntime runtime, CipherAlgorithm algorithm, byte[] key, byte[]? iv, byte[] plain)
    {
        using var session = new CipherSession(algorithm, key, runtime);
        Assert.Equal("kernel", session.Device.Location);
        byte[] output = new byte[plain.Length];
        Assert.Equal(plain.Length, session.Encrypt(iv, plain, output));
        return output;
    }

    private static byte[] Decrypt(WdRuntime runtime, CipherAlgorithm algorithm, byte[] key, byte[]? iv, byte[] cipher)
    {
        using var session = new CipherSession(algorithm, key, runtime);
        byte[] output = new byte[cipher.Length];
        Assert.Equal(cipher.Length, session.Decrypt(iv, cipher, output));
        return output;
    }

    private static byte[] Digest(WdRuntime runtime, DigestAlgorithm algorithm, byte[] message, byte[]? key = null)
    {
        using var session = new DigestSession(algorithm, key, key is null ? DigestMode.Hash : DigestMode.Hmac, runtime: runtime);
        Assert.Equal("kernel", session.Device.Location);
        byte[] output = new byte[session.HashSize];
        Assert.Equal(output.Length, session.ComputeHash(message, output));
        return output;
    }

    [Theory]
    [MemberData(nameof(SecCipherTests.Sp80038AVectors), MemberType = typeof(SecCipherTests))]
    public void Sp80038AVectorsPassAndEcbAndCbcRunOnTheEngine(CipherAlgorithm algorithm, string key, string? iv, string ciphertext)
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        byte[] k = Hex(key), plain = Hex(Plain38A);
        byte[]? v = iv is null ? null : Hex(iv);
        Assert.Equal(ciphertext, ToHex(Encrypt(runtime, algorithm, k, v, plain)));
        Assert.Equal(plain, Decrypt(runtime, algorithm, k, v, Hex(ciphertext)));

        // A type-2 BD carries ECB and CBC; CTR, OFB and CFB are type-3 only: software ran those.
        bool engine = algorithm is CipherAlgorithm.AesEcb or CipherAlgorithm.AesCbc;
        (long onEngine, long inSoftware) = Counts(model, runtime);
        Assert.Equal(engine ? (2L, 0L) : (0L, 2L), (onEngine, inSoftware));
    }

    [Theory]
    [MemberData(nameof(SecCipherTests.XtsVectors), MemberType = typeof(SecCipherTests))]
    public void Ieee1619XtsVectorsIncludingCiphertextStealingRunOnTheEngine(string key, string tweak, string plaintext, string ciphertext)
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        Assert.Equal(ciphertext, ToHex(Encrypt(runtime, CipherAlgorithm.AesXts, Hex(key), Hex(tweak), Hex(plaintext))));
        Assert.Equal(plaintext, ToHex(Decrypt(runtime, CipherAlgorithm.AesXts, Hex(key), Hex(tweak), Hex(ciphertext))));
        Assert.Equal((2L, 0L), Counts(model, runtime));
    }

    [Fact]
    public void Sm4AndTripleDesRunOnTheEngine()
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        // GB/T 32907-2016 appendix A, example 1: key = plaintext.
        byte[] k = Hex("0123456789abcdeffedcba9876543210");
        Assert.Equal("681edf34d206965e86b3e94f536e4246", ToHex(Encrypt(runtime, CipherAlgorithm.Sm4Ecb, k, null, k)));

        // SM4-CBC and SM4-XTS agree with the software device (checked against GB/T 32907 in the SEC tests).
        byte[] iv = RandomNumberGenerator.GetBytes(16), plain = RandomNumberGenerator.GetBytes(100 * 16);
        byte[] xtsKey = RandomNumberGenerator.GetBytes(32);
        using var harness = new SecHarness();
        Assert.Equal(harness.Encrypt(CipherAlgorithm.Sm4Cbc, k, iv, plain), Encrypt(runtime, CipherAlgorithm.Sm4Cbc, k, iv, plain));
        byte[] odd = plain[..1000]; // not whole blocks: ciphertext stealing
        Assert.Equal(harness.Encrypt(CipherAlgorithm.Sm4Xts, xtsKey, iv, odd), Encrypt(runtime, CipherAlgorithm.Sm4Xts, xtsKey, iv, odd));

        // 3DES against the runtime's own.
        byte[] desKey = Hex("0123456789abcdef23456789abcdef01456789abcdef0123"), desIv = RandomNumberGenerator.GetBytes(8);
#pragma warning disable CA5350 // the reference implementation the engine is checked against
        using var des = TripleDES.Create();
#pragma warning restore CA5350
        des.Key = desKey;
        Assert.Equal(des.EncryptEcb(plain, PaddingMode.None), Encrypt(runtime, CipherAlgorithm.TripleDesEcb, desKey, null, plain));
        Assert.Equal(des.EncryptCbc(plain, desIv, PaddingMode.None), Encrypt(runtime, CipherAlgorithm.TripleDesCbc, desKey, desIv, plain));
        Assert.Equal(plain, Decrypt(runtime, CipherAlgorithm.TripleDesCbc, desKey, desIv, des.EncryptCbc(plain, desIv, PaddingMode.None)));
        Assert.Equal((6L, 0L), Counts(model, runtime));
    }

    [Theory]
    [MemberData(nameof(SecDigestTests.AbcVectors), MemberType = typeof(SecDigestTests))]
    public void AbcDigestsPassAndTheEngineRunsThoseATypeTwoBdNames(DigestAlgorithm algorithm, string expected)
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        if (algorithm is DigestAlgorithm.Sha3_256 or DigestAlgorithm.Sha3_512 && !SHA3_256.IsSupported)
        {
            return; // neither the engine nor this runtime's software has SHA-3
        }

        Assert.Equal(expected, ToHex(Digest(runtime, algorithm, "abc"u8.ToArray())));
        bool engine = algorithm is not (DigestAlgorithm.Sha3_256 or DigestAlgorithm.Sha3_512);
        Assert.Equal(engine ? (1L, 0L) : (0L, 1L), Counts(model, runtime));
    }

    [Theory]
    [MemberData(nameof(SecDigestTests.HmacVectors), MemberType = typeof(SecDigestTests))]
    public void Rfc4231HmacPassesAndKeysOfWholeWordsUpToABlockRunOnTheEngine(DigestAlgorithm algorithm, string key, string data, string expected)
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        byte[] k = Hex(key);
        Assert.Equal(expected, ToHex(Digest(runtime, algorithm, Encoding.ASCII.GetBytes(data), k)));
        bool engine = k.Length % 4 == 0 && k.Length <= (algorithm == DigestAlgorithm.Sha512 ? 128 : 64);
        Assert.Equal(engine ? (1L, 0L) : (0L, 1L), Counts(model, runtime));
    }

    [Fact]
    public void HmacSm3AndALongMessageRunOnTheEngine()
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        byte[] key = RandomNumberGenerator.GetBytes(32), message = RandomNumberGenerator.GetBytes(3 << 20);
        using var harness = new SecHarness();
        Assert.Equal(harness.Digest(DigestAlgorithm.Sm3, DigestMode.Hmac, key, message).Output, Digest(runtime, DigestAlgorithm.Sm3, message, key));
        Assert.Equal(SHA512.HashData(message), Digest(runtime, DigestAlgorithm.Sha512, message));
        Assert.Equal(HMACSHA256.HashData(key, message), Digest(runtime, DigestAlgorithm.Sha256, message, key));
        Assert.Equal((3L, 0L), Counts(model, runtime));
    }

    [Fact]
    public void DataListsBecomeHardwareSglsOnTheEngine()
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        byte[] key = RandomNumberGenerator.GetBytes(32), iv = RandomNumberGenerator.GetBytes(16), plain = RandomNumberGenerator.GetBytes(300 * 16);
        ReadOnlySequence<byte> pieces = TestSequences.Split(plain, 7); // seven segments: an SGL chain for the source
        byte[] cipher = new byte[plain.Length], back = new byte[plain.Length];
        using (var cbc = new CipherSession(CipherAlgorithm.AesCbc, key, runtime))
        {
            Assert.Equal(plain.Length, cbc.Encrypt(iv, pieces, cipher));
            Assert.Equal(plain.Length, cbc.Decrypt(iv, TestSequences.Split(cipher, 3), back));
        }

        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptCbc(plain, iv, PaddingMode.None), cipher);
        Assert.Equal(plain, back);

        using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        byte[] digest = new byte[32];
        Assert.Equal(32, sha.ComputeHash(pieces, digest));
        Assert.Equal(SHA256.HashData(plain), digest);
        Assert.Equal((3L, 0L), Counts(model, runtime));
    }

    [Fact]
    public void MessagesInPiecesAndEmptyMessagesRunInSoftware()
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        byte[] message = RandomNumberGenerator.GetBytes(1_000_003);
        using (var session = new DigestSession(DigestAlgorithm.Sha256, incremental: true, runtime: runtime))
        {
            Assert.Equal("kernel", session.Device.Location);
            for (int offset = 0; offset < 900_000; offset += 100_000)
            {
                session.Append(message.AsSpan(offset, 100_000));
            }

            byte[] digest = new byte[32];
            Assert.Equal(32, session.Finish(message.AsSpan(900_000), digest));
            Assert.Equal(SHA256.HashData(message), digest);
        }

        // The engine refuses an empty single-block hash (UADK's digest_bd2_type_check): software answers it.
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ToHex(Digest(runtime, DigestAlgorithm.Sha256, [])));
        (long onEngine, long inSoftware) = Counts(model, runtime);
        Assert.Equal(0, onEngine);
        Assert.Equal(11, inSoftware); // ten pieces and the empty message
    }

    [Fact]
    public void AnEngineErrorOrAMalformedCompletionFailsTheRequestAndTheQueueGoesOn()
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        byte[] key = RandomNumberGenerator.GetBytes(16), plain = RandomNumberGenerator.GetBytes(64);
        using var session = new CipherSession(CipherAlgorithm.AesEcb, key, runtime);
        byte[] output = new byte[64];

        model.ForcedErrorType = 0x17;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.Encrypt(default, plain, output)).Message);
        model.ForcedErrorType = 0;
        model.ClearsDoneFlag = true;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.Encrypt(default, plain, output)).Message);
        model.ClearsDoneFlag = false;
        model.ForcedTag = 0xBEEF; // a completion whose BD names another request
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.Encrypt(default, plain, output)).Message);
        model.ForcedTag = null;

        Assert.Equal(64, session.Encrypt(default, plain, output));
        using var aes = Aes.Create();
        aes.Key = key;
        Assert.Equal(aes.EncryptEcb(plain, PaddingMode.None), output);
    }

    [Fact]
    public void HostileRequestsGetTheSoftwareDevicesAnswerAndNeverReachTheEngine()
    {
        (HisiSecModel model, WdRuntime runtime) = Start();
        using var raw = new SecHarness(runtime);
        Assert.Equal("kernel", raw.Queue.Device.Location);
        byte[] block = new byte[16];
        Assert.Equal(CompletionStatus.BadRequest, raw.Cipher(Opcode.CipherEncrypt, CipherAlgorithm.AesEcb, new byte[15], null, block).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Cipher(Opcode.CipherEncrypt, (CipherAlgorithm)0x7f, new byte[16], null, block).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Cipher(Opcode.CipherEncrypt, CipherAlgorithm.AesCbc, new byte[16], new byte[15], block).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Cipher(Opcode.CipherEncrypt, CipherAlgorithm.AesCbc, new byte[16], null, new byte[17]).Status);
        Assert.Equal(CompletionStatus.OutOfSpace, raw.Cipher(Opcode.CipherEncrypt, CipherAlgorithm.AesEcb, new byte[16], null, block, dstLength: 8).Status);
        Assert.Equal(CompletionStatus.OutOfSpace, raw.Digest(DigestAlgorithm.Sha512, DigestMode.Hash, null, block, dstLength: 32).Status);
        raw.Reset();
        var noParams = new Sqe { Opcode = Opcode.CipherEncrypt, Algorithm = (byte)CipherAlgorithm.AesEcb, Src = raw.Put(block), SrcLen = 16 };
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(noParams, 16).Status);
        Assert.Equal(0, Counts(model, runtime).Engine);

        // A well-formed request still runs on the engine afterwards.
        Assert.Equal(Hex("66e94bd4ef8a2c3b884cfa59ca342b2e"), raw.Encrypt(CipherAlgorithm.AesEcb, new byte[16], null, block)); // FIPS-197 C.1-style zero key
        Assert.Equal(1, Counts(model, runtime).Engine);
    }

    [Fact]
    public void InModeAutoTheKernelSecDeviceOutranksTheInProcessOne()
    {
        using var sec = new KernelSec(WdDeviceMode.Auto);
        foreach (string algorithm in new[] { "cipher", "digest", "aead" })
        {
            Assert.Equal(sec.Model.Name, sec.Runtime.CandidateDevices(algorithm)[0].Name);
        }

        using var session = new DigestSession(DigestAlgorithm.Sm3, runtime: sec.Runtime);
        Assert.Equal(("kernel", sec.Model.Name), (session.Device.Location, session.Device.Name));
        byte[] digest = new byte[32];
        Assert.Equal(32, session.ComputeHash("abc"u8, digest));
        Assert.Equal("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", ToHex(digest)); // GB/T 32905 example 1
        Assert.Equal((1L, 0L), Counts(sec.Model, sec.Runtime));
    }

    [Fact]
    public async Task ConcurrentRequestsWrapASmallQueueManyTimes()
    {
        using var sec = new KernelSec(options: new HisiQmModelOptions { Depth = 4 });
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[][] messages = [.. Enumerable.Range(1, 64).Select(n => RandomNumberGenerator.GetBytes(n * 100))];
        byte[][] macs = [.. messages.Select(_ => new byte[32])];
        using var session = new DigestSession(DigestAlgorithm.Sha256, key, DigestMode.Hmac, runtime: sec.Runtime);
        int[] produced = await Task.WhenAll(messages.Select((m, i) => session.ComputeHashAsync(m, macs[i]).AsTask()));
        for (int i = 0; i < messages.Length; i++)
        {
            Assert.Equal(32, produced[i]);
            Assert.Equal(HMACSHA256.HashData(key, messages[i]), macs[i]);
        }

        Assert.Equal((64L, 0L), Counts(sec.Model, sec.Runtime));
        Assert.True(sec.Runtime.ContextsOnDevice(session.Device).Select(c => c.Queue.Driver).OfType<HisiSecDriver>().Sum(d => d.Queue.Laps) >= 16);
    }

    [Fact]
    public void AQueueTheKernelStoppedIsDisabledAndTheSessionGoesOnOnAFreshOne()
    {
        using var sec = new KernelSec();
        using WdQueue queue = sec.Runtime.RequestQueue("cipher");
        using var session = new CipherSession(CipherAlgorithm.AesEcb, new byte[16], sec.Runtime);
        byte[] block = new byte[16];
        Assert.Equal(16, session.Encrypt(default, block, block));
        sec.Model.Stop(); // the status words go to 1, as on a reset
        Assert.Equal((QueueState.Disabled, QueueDisableReason.KernelStopped), (queue.State, queue.DisableReason));
        Assert.Contains("the kernel stopped it", Assert.Throws<WdException>(() => queue.TrySend(new Sqe { Opcode = Opcode.CipherEncrypt })).Message);

        block = new byte[16];
        Assert.Equal(16, session.Encrypt(default, block, block)); // the context was released and a new queue opened
        Assert.Equal("66e94bd4ef8a2c3b884cfa59ca342b2e", ToHex(block));
        Assert.Equal(1, sec.Model.OpenQueues.Where(q => q.IsServing).Sum(q => q.RequestsServed));
    }

    [Fact]
    public void WdListShowsTheKernelSecDevice()
    {
        var sec = new KernelSec();
        _owned.Add(sec);
        HisiSecModel model = sec.Model;
        var env = new Dictionary<string, string> { ["WD_UACCE_CLASS_DIR"] = sec.ClassDirectory, ["WD_UACCE_DEV_DIR"] = sec.DeviceDirectory, ["WD_STATS"] = "0" };
        (int code, string stdout, string stderr) = CliRunner.Wd("list", env: env);
        Assert.True(code == 0, stderr);
        string kernelRow = stdout.Split('\n').Single(l => l.Contains(model.Name));
        Assert.Contains("kernel", kernelRow);
        Assert.Contains("hisi_qm_v2", kernelRow);
    }

    public void Dispose()
    {
        foreach (KernelSec owned in _owned)
        {
            owned.Dispose();
        }
    }

    /// <summary>Requests the engine ran (every open queue of the model) and requests its driver sent to software.</summary>
    internal static (long Engine, long Software) Counts(HisiSecModel model, WdRuntime runtime)
    {
        long software = runtime.ContextsOnDevice(new WdDeviceInfo(model.Name, "kernel", new Dictionary<string, string>()))
            .Select(c => c.Queue.Driver).OfType<HisiSecDriver>().Sum(d => d.SoftwareRequests);
        return (model.OpenQueues.Sum(q => q.RequestsServed), software);
    }
}

/// <summary>A <see cref="HisiSecModel"/> published in a fake sysfs and /dev of its own, and a runtime in kernel mode
/// (or <paramref name="mode"/>) that finds it there.</summary>
internal sealed class KernelSec(WdDeviceMode mode = WdDeviceMode.Kernel, HisiQmModelOptions? options = null)
    : KernelModel<HisiSecModel>(new HisiSecModel(options: options), mode);
