using System.Numerics;
using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Crypto;
using WarpDrive.Drivers;
using WarpDrive.Tests.Hpre;
using WarpDrive.TestSupport.HisiHpre;
using WarpDrive.TestSupport.HisiQm;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Tests.Uacce;

/// <summary>libwd's hisi_hpre driver, end to end through the kernel transport on the device model of that hardware
/// (a fake /sys/class/uacce and /dev, queue files from <see cref="HisiHpreModel"/>): the RSA, DH and ECC sessions run
/// unchanged, published vectors pass, results agree with the runtime's own RSA, ECDsa and ECDiffieHellman, and what the
/// engine lacks runs in software (the inline HPRE device), counted.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class HisiHpreDriverTests : IDisposable
{
    private readonly List<KernelHpre> _owned = [];
    private readonly List<IDisposable> _sessions = [];

    private KernelHpre Start(bool ecc = true, HisiQmModelOptions? options = null)
    {
        var hpre = new KernelHpre(ecc: ecc, options: options);
        _owned.Add(hpre);
        return hpre;
    }

    /// <summary>A device model (<see cref="Start"/>) and an <see cref="RsaSession"/> on it with the private key of
    /// <paramref name="reference"/> (the runtime's RSA, which checks the session's results); disposed with the test.</summary>
    private (KernelHpre Hpre, RsaSession Session) StartRsa(RSA reference, bool ecc = true)
    {
        KernelHpre hpre = Start(ecc);
        RsaKey key = RsaKey.FromRsa(reference, includePrivate: true);
        var session = new RsaSession(key, hpre.Runtime);
        _sessions.AddRange([reference, key, session]);
        return (hpre, session);
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static RSAParameters WithoutCrt(RSAParameters p) =>
        new() { Modulus = p.Modulus, Exponent = p.Exponent, D = p.D };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RsaRawAndPkcs1RunOnTheEngineAndAgreeWithTheRuntime(bool crt)
    {
        KernelHpre hpre = Start();
        using var reference = RSA.Create(2048);
        RSAParameters parameters = reference.ExportParameters(true);
        using RsaKey key = RsaKey.FromParameters(crt ? parameters : WithoutCrt(parameters));
        Assert.Equal(crt ? RsaKeyFormat.PrivateCrt : RsaKeyFormat.Private, key.Format);
        using var session = new RsaSession(key, hpre.Runtime);
        Assert.Equal(("kernel", hpre.Model.Name), (session.Device.Location, session.Device.Name));

        // RSASSA-PKCS1-v1_5 is deterministic: the engine's signature is the runtime's, byte for byte.
        byte[] hash = SHA256.HashData("abc"u8), signature = new byte[256];
        Assert.Equal(256, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(reference.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), signature);
        byte[] sha512 = SHA512.HashData("abc"u8);
        byte[] theirs = reference.SignHash(sha512, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
        Assert.True(session.VerifyHash(sha512, theirs, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1));
        theirs[^1] ^= 1;
        Assert.False(session.VerifyHash(sha512, theirs, HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1));

        // RSAES-PKCS1-v1_5 both ways.
        byte[] message = RandomNumberGenerator.GetBytes(200), cipher = new byte[256], plain = new byte[256];
        Assert.Equal(256, session.Encrypt(message, cipher, RSAEncryptionPadding.Pkcs1));
        Assert.Equal(message, reference.Decrypt(cipher, RSAEncryptionPadding.Pkcs1));
        Assert.Equal(200, session.Decrypt(reference.Encrypt(message, RSAEncryptionPadding.Pkcs1), plain, RSAEncryptionPadding.Pkcs1));
        Assert.Equal(message, plain[..200]);

        // Raw: m^e mod n, and back.
        byte[] m = RandomNumberGenerator.GetBytes(256);
        m[0] = 0x12;
        byte[] c = new byte[256], back = new byte[256];
        Assert.Equal(256, session.EncryptRaw(m, c));
        var n = new BigInteger(parameters.Modulus, isUnsigned: true, isBigEndian: true);
        var e = new BigInteger(parameters.Exponent, isUnsigned: true, isBigEndian: true);
        Assert.Equal(BigInteger.ModPow(new BigInteger(m, isUnsigned: true, isBigEndian: true), e, n), new BigInteger(c, isUnsigned: true, isBigEndian: true));
        Assert.Equal(256, session.DecryptRaw(c, back));
        Assert.Equal(m, back);

        Assert.Equal((7L, 0L), Counts(hpre));
        IReadOnlyDictionary<HisiHpreAlgorithm, int> tasks = hpre.Model.TasksRun;
        Assert.Equal(crt ? 3 : 0, tasks.GetValueOrDefault(HisiHpreAlgorithm.RsaCrt)); // sign, decrypt, raw decrypt
        Assert.Equal(crt ? 4 : 7, tasks.GetValueOrDefault(HisiHpreAlgorithm.RsaNoCrt)); // and two verifications, two encryptions
    }

    [Theory]
    [InlineData(1024, true)]
    [InlineData(1536, true)]
    [InlineData(4096, true)]
    [InlineData(2041, true)] // 256 bytes with a short top byte: the PSS encoding is one byte shorter than the modulus
    [InlineData(1032, false)] // 129 bytes: not whole 64-bit words, software runs it
    public void TheEngineTakesModuliOfWholeWordsFrom1024To4096Bits(int bits, bool onEngine)
    {
        RSA reference = bits % 8 == 0 ? RSA.Create(bits) : OddSizedKey(bits);
        (KernelHpre hpre, RsaSession session) = StartRsa(reference);
        byte[] hash = SHA256.HashData("abc"u8), signature = new byte[session.ModulusBytes];
        Assert.Equal(signature.Length, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(reference.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), signature);
        Assert.Equal(signature.Length, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.True(reference.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.True(session.VerifyHash(hash, reference.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pss), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.Equal(onEngine ? (3L, 0L) : (0L, 3L), Counts(hpre));
    }

    /// <summary>A key whose modulus is not a whole number of bytes (the runtime makes only those), from BouncyCastle.</summary>
    private static RSA OddSizedKey(int bits)
    {
        var generator = new Org.BouncyCastle.Crypto.Generators.RsaKeyPairGenerator();
        generator.Init(new RsaKeyGenerationParameters(BcBigInteger.ValueOf(65537), new SecureRandom(), bits, 80));
        var k = (RsaPrivateCrtKeyParameters)generator.GenerateKeyPair().Private;
        int length = (bits + 7) / 8, half = (length + 1) / 2;
        static byte[] Fixed(BcBigInteger value, int size) => [.. new byte[size - value.ToByteArrayUnsigned().Length], .. value.ToByteArrayUnsigned()];
        var rsa = RSA.Create();
        rsa.ImportParameters(new RSAParameters
        {
            Modulus = Fixed(k.Modulus, length), Exponent = k.PublicExponent.ToByteArrayUnsigned(), D = Fixed(k.Exponent, length),
            P = Fixed(k.P, half), Q = Fixed(k.Q, half), DP = Fixed(k.DP, half), DQ = Fixed(k.DQ, half), InverseQ = Fixed(k.QInv, half),
        });
        return rsa;
    }

    [Fact]
    public void APkcs1CiphertextThatDoesNotDecodeReleasesNothing()
    {
        var reference = RSA.Create(2048);
        (KernelHpre hpre, RsaSession session) = StartRsa(reference);
        // Raw-encrypt an encoding that is not EME-PKCS1-v1_5 (00 01 ... instead of 00 02 ...): the engine decrypts it,
        // the driver's decoding refuses it, as software's would.
        byte[] encoding = new byte[256], cipher = new byte[256], plain = new byte[256];
        encoding[1] = 1;
        encoding.AsSpan(2, 200).Fill(0xff);
        Assert.Equal(256, session.EncryptRaw(encoding, cipher));
        Assert.Contains("decryption failed", Assert.Throws<CryptographicException>(() => session.Decrypt(cipher, plain, RSAEncryptionPadding.Pkcs1)).Message);
        Assert.All(plain, b => Assert.Equal(0, b));
        Assert.Equal((2L, 0L), Counts(hpre));
    }

    [Fact]
    public void OaepAndPssRunOnTheEngineWithTheirPaddingInSoftwareAndAgreeWithTheRuntime()
    {
        var reference = RSA.Create(3072);
        (KernelHpre hpre, RsaSession session) = StartRsa(reference);
        byte[] message = RandomNumberGenerator.GetBytes(100), cipher = new byte[384], plain = new byte[384];
        Assert.Equal(384, session.Encrypt(message, cipher, RSAEncryptionPadding.OaepSHA256));
        Assert.Equal(message, reference.Decrypt(cipher, RSAEncryptionPadding.OaepSHA256));
        Assert.Equal(100, session.Decrypt(reference.Encrypt(message, RSAEncryptionPadding.OaepSHA256), plain, RSAEncryptionPadding.OaepSHA256));
        byte[] hash = SHA384.HashData(message), signature = new byte[384];
        Assert.Equal(384, session.SignHash(hash, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss));
        Assert.True(reference.VerifyHash(hash, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss));
        Assert.True(session.VerifyHash(hash, reference.SignHash(hash, HashAlgorithmName.SHA384, RSASignaturePadding.Pss), HashAlgorithmName.SHA384, RSASignaturePadding.Pss));
        signature[5] ^= 1;
        Assert.False(session.VerifyHash(hash, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss));
        foreach (RSAEncryptionPadding padding in new[] { RSAEncryptionPadding.OaepSHA1, RSAEncryptionPadding.OaepSHA512 })
        {
            Assert.Equal(384, session.Encrypt(message, cipher, padding));
            Assert.Equal(message, reference.Decrypt(cipher, padding));
        }

        byte[] corrupt = reference.Encrypt(message, RSAEncryptionPadding.OaepSHA256);
        Assert.Throws<CryptographicException>(() => session.Decrypt(corrupt, plain, RSAEncryptionPadding.OaepSHA1)); // another hash: lHash differs
        Assert.Equal((8L, 0L), Counts(hpre));

        // A label is the one thing OAEP sends to software.
        byte[] label = "label"u8.ToArray();
        Assert.Equal(384, session.Encrypt(message, cipher, RSAEncryptionPadding.OaepSHA256, label));
        Assert.Equal((8L, 1L), Counts(hpre));
        Assert.Equal(100, session.Decrypt(cipher, plain, RSAEncryptionPadding.OaepSHA256, label));
        Assert.Equal(message, plain[..100]);
        Assert.Equal((8L, 2L), Counts(hpre));
    }

    [Fact]
    public void Rfc3526Group14DiffieHellmanRunsOnTheEngineWithTheGeneratorTwoTask()
    {
        KernelHpre hpre = Start();
        DhGroup group = DhGroup.Modp2048;
        byte[] a = DhSession.GeneratePrivateKey(group.Prime.Span), b = DhSession.GeneratePrivateKey(group.Prime.Span);
        using var alice = new DhSession(group, a, hpre.Runtime);
        using var bob = new DhSession(group, b, hpre.Runtime);
        Assert.Equal("kernel", alice.Device.Location);
        byte[] publicA = new byte[256], publicB = new byte[256], secretA = new byte[256], secretB = new byte[256];
        Assert.Equal(256, alice.ComputePublicKey(publicA));
        Assert.Equal(256, bob.ComputePublicKey(publicB));
        Assert.Equal(256, alice.ComputeSharedSecret(publicB, secretA));
        Assert.Equal(256, bob.ComputeSharedSecret(publicA, secretB));

        var p = new BigInteger(group.Prime.Span, isUnsigned: true, isBigEndian: true);
        BigInteger x = new(a, isUnsigned: true, isBigEndian: true), y = new(b, isUnsigned: true, isBigEndian: true);
        Assert.Equal(BigInteger.ModPow(2, x, p), new BigInteger(publicA, isUnsigned: true, isBigEndian: true));
        Assert.Equal(BigInteger.ModPow(2, x * y, p), new BigInteger(secretA, isUnsigned: true, isBigEndian: true));
        Assert.Equal(secretA, secretB);
        Assert.Equal((4L, 0L), Counts(hpre));
        Assert.Equal((2, 2), (hpre.Model.TasksRun[HisiHpreAlgorithm.DhG2], hpre.Model.TasksRun[HisiHpreAlgorithm.Dh]));
    }

    [Theory]
    [InlineData("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    [InlineData("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d", "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
        "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957")] // u with its top bit set: masked
    [InlineData("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")] // section 6.1: Alice with Bob's public key
    [InlineData("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb", "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")] // and Bob with Alice's
    public void Rfc7748X25519VectorsPassOnTheEngine(string scalar, string u, string expected)
    {
        KernelHpre hpre = Start();
        using var session = new EccSession(EccCurve.X25519, Hex(scalar), hpre.Runtime);
        Assert.Equal("kernel", session.Device.Location);
        byte[] secret = new byte[32];
        Assert.Equal(32, session.DeriveSharedSecret(Hex(u), secret));
        Assert.Equal(Hex(expected), secret);
        Assert.Equal((1L, 0L), Counts(hpre));
        Assert.Equal(1, hpre.Model.TasksRun[HisiHpreAlgorithm.XdhMultiply]);
    }

    [Fact]
    public void X25519LowOrderPeersAreRejectedOnTheEngineAndInSoftware()
    {
        KernelHpre hpre = Start();
        using var session = new EccSession(EccCurve.X25519, Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"), hpre.Runtime);
        byte[] secret = new byte[32];
        byte[] one = new byte[32];
        one[0] = 1; // u = 1, of order 4: the engine's result is zero, the driver refuses it
        Assert.Contains("rejected the key", Assert.Throws<CryptographicException>(() => session.DeriveSharedSecret(one, secret)).Message);
        // u = 0: the engine refuses it (UADK's u_is_in_p), software answers as every device does.
        Assert.Contains("rejected the key", Assert.Throws<CryptographicException>(() => session.DeriveSharedSecret(new byte[32], secret)).Message);
        Assert.Equal((1L, 1L), Counts(hpre));
    }

    public static TheoryData<EccCurve> NistCurves() => new() { EccCurve.P256, EccCurve.P384, EccCurve.P521 };

    private static ECCurve NamedCurve(EccCurve curve) => curve switch
    {
        EccCurve.P256 => ECCurve.NamedCurves.nistP256,
        EccCurve.P384 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    private static byte[] PublicPoint(ECParameters p) => [4, .. p.Q.X!, .. p.Q.Y!];

    [Theory]
    [MemberData(nameof(NistCurves))]
    public void EcdhAgreesWithTheRuntime(EccCurve curve)
    {
        KernelHpre hpre = Start();
        using var ours = ECDiffieHellman.Create(NamedCurve(curve));
        using var theirs = ECDiffieHellman.Create(NamedCurve(curve));
        ECParameters own = ours.ExportParameters(true), peer = theirs.ExportParameters(false);
        using var session = new EccSession(curve, own.D, hpre.Runtime);
        Assert.Equal("kernel", session.Device.Location);
        byte[] secret = new byte[own.D!.Length];
        Assert.Equal(secret.Length, session.DeriveSharedSecret(PublicPoint(peer), secret));
        using ECDiffieHellmanPublicKey ourPublic = ours.PublicKey;
        Assert.Equal(theirs.DeriveRawSecretAgreement(ourPublic), secret);
        Assert.Equal((1L, 0L), Counts(hpre));

        // A peer point off the curve never reaches the engine: software rejects it as every device does.
        byte[] bad = PublicPoint(peer);
        bad[^1] ^= 1;
        Assert.Throws<CryptographicException>(() => session.DeriveSharedSecret(bad, secret));
        Assert.Equal((1L, 1L), Counts(hpre));
    }

    [Theory]
    [MemberData(nameof(NistCurves))]
    public void EcdsaSignaturesVerifyWithTheRuntimeAndBack(EccCurve curve)
    {
        KernelHpre hpre = Start();
        using var reference = ECDsa.Create(NamedCurve(curve));
        ECParameters p = reference.ExportParameters(true);
        using var signer = new EccSession(curve, p.D, hpre.Runtime);
        using var verifier = new EccSession(curve, PublicPoint(p), isPrivateKey: false, hpre.Runtime);
        int field = p.D!.Length;
        foreach (byte[] hash in new[] { SHA256.HashData("abc"u8), SHA384.HashData("abc"u8), SHA512.HashData("abc"u8) })
        {
            byte[] signature = new byte[2 * field];
            Assert.Equal(2 * field, signer.SignHash(hash, signature));
            Assert.True(reference.VerifyHash(hash, signature));
            Assert.True(verifier.VerifyHash(hash, reference.SignHash(hash)));
            signature[^1] ^= 1;
            Assert.False(verifier.VerifyHash(hash, signature));
        }

        Assert.Equal((9L, 0L), Counts(hpre));
        Assert.Equal((3, 6), (hpre.Model.TasksRun[HisiHpreAlgorithm.EcdsaSign], hpre.Model.TasksRun[HisiHpreAlgorithm.EcdsaVerify]));
    }

    [Fact]
    public void Sm2SignaturesRunInSoftwareAndVerifyWithBouncyCastle()
    {
        KernelHpre hpre = Start();
        // GB/T 32918.5's curve; a key of the runtime's generator, checked both ways against BouncyCastle's SM2Signer.
        var domain = new ECDomainParameters(GMNamedCurves.GetByName("sm2p256v1"));
        var d = new BcBigInteger(1, RandomNumberGenerator.GetBytes(32)).Mod(domain.N.Subtract(BcBigInteger.Two)).Add(BcBigInteger.One);
        byte[] privateKey = d.ToByteArrayUnsigned();
        privateKey = [.. new byte[32 - privateKey.Length], .. privateKey];
        byte[] publicKey = domain.G.Multiply(d).Normalize().GetEncoded(false);
        byte[] message = "message digest"u8.ToArray(), signature = new byte[64];
        using (var signer = new EccSession(EccCurve.Sm2, privateKey, hpre.Runtime))
        {
            Assert.Equal("kernel", signer.Device.Location);
            Assert.Equal(64, signer.SignData(message, signature));
        }

        var bc = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        bc.Init(false, new ECPublicKeyParameters(domain.Curve.DecodePoint(publicKey), domain));
        bc.BlockUpdate(message);
        Assert.True(bc.VerifySignature(signature));

        bc.Init(true, new ParametersWithRandom(new ECPrivateKeyParameters(d, domain), new SecureRandom()));
        bc.BlockUpdate(message);
        byte[] theirs = bc.GenerateSignature();
        using (var verifier = new EccSession(EccCurve.Sm2, publicKey, hpre.Runtime))
        {
            Assert.True(verifier.VerifyData(message, theirs));
        }

        Assert.Equal((0L, 2L), Counts(hpre));
    }

    [Fact]
    public void AnEngineErrorOrAMalformedCompletionFailsTheRequestAndTheQueueGoesOn()
    {
        var reference = RSA.Create(2048);
        (KernelHpre hpre, RsaSession session) = StartRsa(reference);
        byte[] hash = SHA256.HashData("abc"u8), signature = new byte[256];

        hpre.Model.ForcedErrorType = 0x17;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Message);
        hpre.Model.ForcedErrorType = 0;
        hpre.Model.LeavesTaskUndone = true;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Message);
        hpre.Model.LeavesTaskUndone = false;
        hpre.Model.ForcedTag = 0xBEEF; // a completion whose SQE names another request
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)).Message);
        hpre.Model.ForcedTag = null;

        Assert.Equal(256, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(reference.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), signature);
        Assert.Equal((4L, 0L), Counts(hpre));
    }

    [Fact]
    public void MalformedRequestsGetSoftwaresAnswersAndNeverReachTheEngine()
    {
        KernelHpre hpre = Start();
        using var raw = new HpreQueue(hpre.Runtime, "rsa");
        using var reference = RSA.Create(2048);
        byte[] blob = RsaBlob.From(reference.ExportParameters(true), RsaKeyFormat.PrivateCrt);
        byte[] modulus = reference.ExportParameters(false).Modulus!;

        // Raw RSA of a number not below the modulus; a truncated key blob; a public key asked to decrypt.
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(new HpreCall { Opcode = Opcode.RsaDecrypt, Key = blob, Src = modulus, DstLen = 256 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(new HpreCall { Opcode = Opcode.RsaEncrypt, Key = blob[..100], Src = new byte[256], DstLen = 256 }).Status);
        byte[] publicBlob = RsaBlob.From(reference.ExportParameters(false), RsaKeyFormat.Public);
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(new HpreCall { Opcode = Opcode.RsaDecrypt, Key = publicBlob, Src = new byte[256], DstLen = 256 }).Status);
        // A destination too small; a stream flag no HPRE request takes.
        Assert.Equal(CompletionStatus.OutOfSpace, raw.Run(new HpreCall { Opcode = Opcode.RsaEncrypt, Key = publicBlob, Src = new byte[256], DstLen = 255 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(new HpreCall
        {
            Opcode = Opcode.RsaEncrypt, Key = publicBlob, Src = new byte[256], DstLen = 256, EditSqe = s => s with { Flags = SqeFlags.SrcDataList },
        }).Status);

        // DH with a base of 1 and with a zero exponent.
        byte[] prime = DhGroup.Modp2048.Prime.ToArray();
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(new HpreCall { Opcode = Opcode.DhCompute, Key = [5], Aux = prime, Src = [1], DstLen = 256 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Run(new HpreCall { Opcode = Opcode.DhCompute, Key = [0], Aux = prime, Src = [2], DstLen = 256 }).Status);

        var driver = (HisiHpreDriver)raw.Queue.Driver;
        Assert.Equal((0L, 7L), (Counts(hpre).Engine, driver.SoftwareRequests));

        // A well-formed request still runs on the engine afterwards.
        byte[] m = new byte[256];
        m[^1] = 2;
        HpreResult result = raw.Run(new HpreCall { Opcode = Opcode.RsaEncrypt, Key = publicBlob, Src = m, DstLen = 256 });
        Assert.Equal(CompletionStatus.Ok, result.Status);
        RSAParameters pub = reference.ExportParameters(false);
        Assert.Equal(
            BigInteger.ModPow(2, new BigInteger(pub.Exponent, isUnsigned: true, isBigEndian: true), new BigInteger(pub.Modulus, isUnsigned: true, isBigEndian: true)),
            new BigInteger(result.Output, isUnsigned: true, isBigEndian: true));
        Assert.Equal((1L, 7L), (Counts(hpre).Engine, driver.SoftwareRequests));
    }

    [Fact]
    public void AKunpeng920HpreHasNoEccQueueAndOffersRsaAndDhAlone()
    {
        var reference = RSA.Create(2048);
        (KernelHpre hpre, RsaSession session) = StartRsa(reference, ecc: false);
        Assert.Equal(HisiQmApi.V2, hpre.Model.Api);
        byte[] hash = SHA256.HashData("abc"u8), signature = new byte[256];
        Assert.Equal(256, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.True(reference.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        Assert.NotEmpty(Drivers(hpre));
        Assert.All(Drivers(hpre), d => Assert.Null(d.EccQueue));
        Assert.Equal(Drivers(hpre).Count(), hpre.Model.OpenQueues.Count); // one queue file per context
        Assert.All(hpre.Model.OpenQueues, q => Assert.Equal(0, q.QcType));
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<WdDeviceNotFoundException>(() => new EccSession(EccCurve.P256, ecdsa.ExportParameters(true).D, hpre.Runtime));
    }

    [Fact]
    public void InModeAutoTheKernelHpreDeviceOutranksTheInProcessOne()
    {
        using var hpre = new KernelHpre(WdDeviceMode.Auto);
        foreach (string algorithm in new[] { "rsa", "dh", "ecdsa", "x25519" })
        {
            Assert.Equal(hpre.Model.Name, hpre.Runtime.CandidateDevices(algorithm)[0].Name);
        }

        using var session = new EccSession(EccCurve.X25519, Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), hpre.Runtime);
        Assert.Equal(("kernel", hpre.Model.Name), (session.Device.Location, session.Device.Name));
        byte[] secret = new byte[32];
        Assert.Equal(32, session.DeriveSharedSecret(Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), secret));
        Assert.Equal(Hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), secret);
        Assert.Equal((1L, 0L), Counts(hpre));
    }

    [Fact]
    public async Task ConcurrentSignaturesWrapASmallQueueManyTimes()
    {
        KernelHpre hpre = Start(options: new HisiQmModelOptions { Depth = 4 });
        using var reference = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var session = new EccSession(EccCurve.P256, reference.ExportParameters(true).D, hpre.Runtime);
        byte[][] hashes = [.. Enumerable.Range(0, 48).Select(i => SHA256.HashData(BitConverter.GetBytes(i)))];
        byte[][] signatures = [.. hashes.Select(_ => new byte[64])];
        int[] produced = await Task.WhenAll(hashes.Select((h, i) => session.SignHashAsync(h, signatures[i]).AsTask()));
        for (int i = 0; i < hashes.Length; i++)
        {
            Assert.Equal(64, produced[i]);
            Assert.True(reference.VerifyHash(hashes[i], signatures[i]));
        }

        Assert.Equal((48L, 0L), Counts(hpre));
        Assert.True(Drivers(hpre).Sum(d => d.EccQueue!.Laps) >= 12);
    }

    [Fact]
    public void WdListShowsTheKernelHpreDevice()
    {
        KernelHpre hpre = Start();
        var env = new Dictionary<string, string> { ["WD_UACCE_CLASS_DIR"] = hpre.ClassDirectory, ["WD_UACCE_DEV_DIR"] = hpre.DeviceDirectory, ["WD_STATS"] = "0" };
        (int code, string stdout, string stderr) = CliRunner.Wd("list", env: env);
        Assert.True(code == 0, stderr);
        string kernelRow = stdout.Split('\n').Single(l => l.Contains(hpre.Model.Name, StringComparison.Ordinal));
        Assert.Contains("kernel", kernelRow);
        Assert.Contains("hisi_qm_v3", kernelRow);
    }

    public void Dispose()
    {
        for (int i = _sessions.Count - 1; i >= 0; i--)
        {
            _sessions[i].Dispose(); // sessions before their runtime
        }

        foreach (KernelHpre owned in _owned)
        {
            owned.Dispose();
        }
    }

    private static IEnumerable<HisiHpreDriver> Drivers(KernelHpre hpre) =>
        hpre.Runtime.ContextsOnDevice(new WdDeviceInfo(hpre.Model.Name, "kernel", new Dictionary<string, string>()))
            .Select(c => c.Queue.Driver).OfType<HisiHpreDriver>();

    /// <summary>Requests the engine ran (every open queue of the model) and requests its driver sent to software.</summary>
    internal static (long Engine, long Software) Counts(KernelHpre hpre) =>
        (hpre.Model.OpenQueues.Sum(q => q.RequestsServed), Drivers(hpre).Sum(d => d.SoftwareRequests));
}

/// <summary>A <see cref="HisiHpreModel"/> (with ECC unless <paramref name="ecc"/> is false) published in a fake sysfs
/// and /dev of its own, and a runtime in kernel mode (or <paramref name="mode"/>) that finds it there.</summary>
internal sealed class KernelHpre(WdDeviceMode mode = WdDeviceMode.Kernel, bool ecc = true, HisiQmModelOptions? options = null)
    : KernelModel<HisiHpreModel>(new HisiHpreModel(options: options, ecc: ecc), mode);
