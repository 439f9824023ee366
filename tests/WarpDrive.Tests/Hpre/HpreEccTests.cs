using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Hpre;

/// <summary>ECDSA, ECDH, X25519, Ed25519 and SM2 through a real in-process HPRE device.</summary>
public sealed class HpreEccTests : IDisposable
{
    private readonly HpreQueue _q = new();

    public void Dispose() => _q.Dispose();

    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", "", StringComparison.Ordinal));

    private static ECCurve Curve(EccCurve c) => c switch
    {
        EccCurve.P256 => ECCurve.NamedCurves.nistP256,
        EccCurve.P384 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    private static int Field(EccCurve c) => c switch { EccCurve.P384 => 48, EccCurve.P521 => 66, _ => 32 };

    private static byte[] PublicOf(ECParameters p, int field)
    {
        byte[] q = new byte[1 + (2 * field)];
        q[0] = 4;
        p.Q.X!.CopyTo(q, 1 + field - p.Q.X!.Length);
        p.Q.Y!.CopyTo(q, 1 + (2 * field) - p.Q.Y!.Length);
        return q;
    }

    private static byte[] PrivateOf(ECParameters p, int field)
    {
        byte[] d = new byte[field];
        p.D!.CopyTo(d, field - p.D!.Length);
        return d;
    }

    [Theory]
    [InlineData(EccCurve.P256)]
    [InlineData(EccCurve.P384)]
    [InlineData(EccCurve.P521)]
    public void EcdsaInteroperatesWithTheRuntime(EccCurve curve)
    {
        int field = Field(curve);
        using var ecdsa = ECDsa.Create(Curve(curve));
        ECParameters p = ecdsa.ExportParameters(true);
        byte[] hash = SHA256.HashData("ecdsa"u8);

        HpreResult sig = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)curve, Key = PrivateOf(p, field), Src = hash, DstLen = 2 * field });
        Assert.Equal(CompletionStatus.Ok, sig.Status);
        Assert.Equal((uint)(2 * field), sig.Cqe.Produced);
        Assert.True(ecdsa.VerifyHash(hash, sig.Output)); // IEEE P1363 r||s

        byte[] runtimeSig = ecdsa.SignHash(hash);
        HpreResult ok = _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = PublicOf(p, field), Src = hash, Aux = runtimeSig });
        Assert.Equal(CompletionStatus.Ok, ok.Status);
        runtimeSig[3] ^= 0x20;
        HpreResult bad = _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = PublicOf(p, field), Src = hash, Aux = runtimeSig });
        Assert.Equal(CompletionStatus.AuthFailed, bad.Status);
    }

    [Theory]
    [InlineData(EccCurve.P256)]
    [InlineData(EccCurve.P384)]
    [InlineData(EccCurve.P521)]
    public void EcdhAgreementEqualsTheRuntimes(EccCurve curve)
    {
        int field = Field(curve);
        using var alice = ECDiffieHellman.Create(Curve(curve));
        using var bob = ECDiffieHellman.Create(Curve(curve));
        byte[] expected = alice.DeriveRawSecretAgreement(bob.PublicKey);

        HpreResult r = _q.Run(new HpreCall
        {
            Opcode = Opcode.EccAgree, Algorithm = (byte)curve, Key = PrivateOf(alice.ExportParameters(true), field),
            Src = PublicOf(bob.ExportParameters(false), field), DstLen = field,
        });
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(expected, r.Output);
    }

    [Fact]
    public void EcdhP256Rfc5903Vector()
    {
        // RFC 5903 section 8.1 (256-bit random ECP group): i, g^r, and the shared x coordinate g^ir.
        byte[] i = Hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433");
        byte[] gr = Hex("04 D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63 56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
        HpreResult r = _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.P256, Key = i, Src = gr, DstLen = 32 });
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(Hex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE"), r.Output);
    }

    [Fact]
    public void OffCurvePointsAreRejectedKeysThatDoNotCostTheQueue()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] q = PublicOf(ecdsa.ExportParameters(false), 32);
        q[64] ^= 1; // Y changed: no longer on the curve
        byte[] hash = SHA256.HashData("x"u8);
        Assert.Equal(CompletionStatus.KeyRejected,
            _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)EccCurve.P256, Key = q, Src = hash, Aux = new byte[64] }).Status);

        // A hostile peer's key, many times over: KEY_REJECTED is not a descriptor error, so the queue stays up for
        // the next honest request (BAD_REQUEST beyond queue_error_threshold would disable it).
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(CompletionStatus.KeyRejected,
                _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.P256, Key = PrivateOf(ecdsa.ExportParameters(true), 32), Src = q, DstLen = 32 }).Status);
        }

        Assert.Equal(QueueState.Started, _q.Queue.State);
        Assert.Equal(CompletionStatus.KeyRejected,
            _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.P256, Key = PrivateOf(ecdsa.ExportParameters(true), 32), Src = q, DstLen = 32 }).Status);
        byte[] sm2 = new byte[65];
        sm2[0] = 4;
        sm2[1] = 1;
        Assert.Equal(CompletionStatus.KeyRejected,
            _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)EccCurve.Sm2, Key = sm2, Src = "m"u8.ToArray(), Aux = new byte[64] }).Status);
        Assert.Equal(CompletionStatus.KeyRejected,
            _q.Run(new HpreCall { Opcode = Opcode.EccEncrypt, Algorithm = (byte)EccCurve.Sm2, Key = sm2, Src = "m"u8.ToArray(), DstLen = 200 }).Status);
        // A zero private key, and one not below the group order.
        Assert.Equal(CompletionStatus.BadRequest,
            _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.P256, Key = new byte[32], Src = hash, DstLen = 64 }).Status);
        Assert.Equal(CompletionStatus.BadRequest,
            _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.P256, Key = Enumerable.Repeat((byte)0xFF, 32).ToArray(), Src = hash, DstLen = 64 }).Status);
    }

    [Fact]
    public void X25519Rfc7748Vectors()
    {
        // RFC 7748 section 5.2, first test vector.
        HpreResult r = _q.Run(new HpreCall
        {
            Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519,
            Key = Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            Src = Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), DstLen = 32,
        });
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(Hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), r.Output);

        // RFC 7748 section 6.1: Alice and Bob derive the same secret.
        byte[] alicePriv = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPub = Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] bobPriv = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] alicePub = Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        byte[] shared = Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        Assert.Equal(shared, _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519, Key = alicePriv, Src = bobPub, DstLen = 32 }).Output);
        Assert.Equal(shared, _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519, Key = bobPriv, Src = alicePub, DstLen = 32 }).Output);

        // A low-order peer point (u = 0) would give an all-zero secret.
        Assert.Equal(CompletionStatus.KeyRejected,
            _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519, Key = alicePriv, Src = new byte[32], DstLen = 32 }).Status);
    }

    [Fact]
    public void X25519KeyGenAgrees()
    {
        HpreResult a = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.X25519, DstLen = 64, NoParams = true });
        HpreResult b = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.X25519, DstLen = 64, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, a.Status);
        Assert.Equal(64u, a.Cqe.Produced);
        byte[] ab = _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519, Key = a.Output[..32], Src = b.Output[32..], DstLen = 32 }).Output;
        byte[] ba = _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519, Key = b.Output[..32], Src = a.Output[32..], DstLen = 32 }).Output;
        Assert.Equal(32, ab.Length);
        Assert.Equal(ab, ba);
    }

    [Theory]
    // RFC 8032 section 7.1, TEST 1, TEST 2 and TEST 3: secret key, public key, message, signature.
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    [InlineData("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7", "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")]
    public void Ed25519Rfc8032Vectors(string secret, string publicKey, string message, string signature)
    {
        byte[] msg = Hex(message);
        HpreResult sig = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.Ed25519, Key = Hex(secret), Src = msg, DstLen = 64 });
        Assert.Equal(CompletionStatus.Ok, sig.Status);
        Assert.Equal(Hex(signature), sig.Output);

        HpreResult ok = _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)EccCurve.Ed25519, Key = Hex(publicKey), Src = msg, Aux = Hex(signature) });
        Assert.Equal(CompletionStatus.Ok, ok.Status);
        byte[] tampered = Hex(signature);
        tampered[0] ^= 1;
        HpreResult bad = _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)EccCurve.Ed25519, Key = Hex(publicKey), Src = msg, Aux = tampered });
        Assert.Equal(CompletionStatus.AuthFailed, bad.Status);
    }

    [Fact]
    public void Ed25519KeyGenPublicKeyMatchesItsSeed()
    {
        HpreResult k = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.Ed25519, DstLen = 64, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, k.Status);
        byte[] message = "keygen"u8.ToArray();
        HpreResult sig = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.Ed25519, Key = k.Output[..32], Src = message, DstLen = 64 });
        Assert.Equal(CompletionStatus.Ok,
            _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)EccCurve.Ed25519, Key = k.Output[32..], Src = message, Aux = sig.Output }).Status);
    }

    [Theory]
    [InlineData(EccCurve.P256)]
    [InlineData(EccCurve.P521)]
    public void NistKeyGenImportsIntoTheRuntime(EccCurve curve)
    {
        int field = Field(curve);
        HpreResult k = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)curve, DstLen = (3 * field) + 1, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, k.Status);
        Assert.Equal((uint)((3 * field) + 1), k.Cqe.Produced);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportParameters(new ECParameters
        {
            Curve = Curve(curve),
            D = k.Output[..field],
            Q = new ECPoint { X = k.Output[(field + 1)..((2 * field) + 1)], Y = k.Output[((2 * field) + 1)..] },
        });
        byte[] hash = SHA256.HashData("nist keygen"u8);
        Assert.True(ecdsa.VerifyHash(hash, ecdsa.SignHash(hash)));
        Assert.Equal(4, k.Output[field]);
    }

    [Fact]
    public void Sm2SignVerifyAndIds()
    {
        HpreResult k = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.Sm2, DstLen = 97, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, k.Status);
        byte[] priv = k.Output[..32], pub = k.Output[32..];
        byte[] message = "message digest"u8.ToArray();

        HpreResult sig = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = message, DstLen = 64 });
        Assert.Equal(CompletionStatus.Ok, sig.Status);
        Assert.Equal(64, sig.Output.Length);

        HpreResult Verify(byte[] msg, byte[] signature, byte[]? id) =>
            _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)EccCurve.Sm2, Key = pub, Src = msg, Aux = signature, Aad = id });
        Assert.Equal(CompletionStatus.Ok, Verify(message, sig.Output, null).Status);
        Assert.Equal(CompletionStatus.Ok, Verify(message, sig.Output, "1234567812345678"u8.ToArray()).Status); // the default ID
        Assert.Equal(CompletionStatus.AuthFailed, Verify(message, sig.Output, "ALICE123@YAHOO.COM"u8.ToArray()).Status);
        Assert.Equal(CompletionStatus.AuthFailed, Verify("message digesT"u8.ToArray(), sig.Output, null).Status);

        HpreResult withId = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = message, Aad = "ALICE123@YAHOO.COM"u8.ToArray(), DstLen = 64 });
        Assert.Equal(CompletionStatus.Ok, Verify(message, withId.Output, "ALICE123@YAHOO.COM"u8.ToArray()).Status);
        Assert.Equal(CompletionStatus.AuthFailed, Verify(message, withId.Output, null).Status);
    }

    [Fact]
    public void Sm2EncryptDecrypt()
    {
        HpreResult k = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.Sm2, DstLen = 97, NoParams = true });
        byte[] priv = k.Output[..32], pub = k.Output[32..];
        byte[] message = "encryption standard"u8.ToArray();

        HpreResult enc = _q.Run(new HpreCall { Opcode = Opcode.EccEncrypt, Algorithm = (byte)EccCurve.Sm2, Key = pub, Src = message, DstLen = 256 });
        Assert.Equal(CompletionStatus.Ok, enc.Status);
        Assert.Equal(97 + message.Length, enc.Output.Length);
        Assert.Equal(4, enc.Output[0]); // C1 uncompressed

        HpreResult dec = _q.Run(new HpreCall { Opcode = Opcode.EccDecrypt, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = enc.Output, DstLen = message.Length });
        Assert.Equal(CompletionStatus.Ok, dec.Status);
        Assert.Equal(message, dec.Output);

        byte[] tampered = enc.Output.ToArray();
        tampered[^1] ^= 1; // C2
        Assert.Equal(CompletionStatus.AuthFailed,
            _q.Run(new HpreCall { Opcode = Opcode.EccDecrypt, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = tampered, DstLen = 256 }).Status);
        Assert.Equal(CompletionStatus.OutOfSpace,
            _q.Run(new HpreCall { Opcode = Opcode.EccDecrypt, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = enc.Output, DstLen = message.Length - 1 }).Status);
    }

    [Fact]
    public void EccBadRequests()
    {
        byte[] hash = SHA256.HashData("x"u8);
        byte[] key = new byte[32];
        key[31] = 7;
        HpreResult Sign(byte curve, byte[] k, byte[] src, Func<Sqe, Sqe>? edit = null) =>
            _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = curve, Key = k, Src = src, DstLen = 132, EditSqe = edit });
        Assert.Equal(CompletionStatus.Ok, Sign((byte)EccCurve.P256, key, hash).Status);
        Assert.Equal(CompletionStatus.BadRequest, Sign(0, key, hash).Status); // no curve
        Assert.Equal(CompletionStatus.BadRequest, Sign(99, key, hash).Status); // unknown curve
        Assert.Equal(CompletionStatus.BadRequest, Sign((byte)EccCurve.X25519, key, hash).Status); // X25519 cannot sign
        Assert.Equal(CompletionStatus.BadRequest, Sign((byte)EccCurve.P384, key, hash).Status); // key of the wrong size
        Assert.Equal(CompletionStatus.BadRequest, Sign((byte)EccCurve.P256, key, hash[..31]).Status); // not a hash length
        Assert.Equal(CompletionStatus.BadRequest, Sign((byte)EccCurve.P256, key, hash, s => s with { Mode = 1 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, Sign((byte)EccCurve.P256, key, hash, s => s with { Hash = 4 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall
        {
            Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.Ed25519, Key = key, Src = key, DstLen = 32,
        }).Status); // no agreement on Ed25519
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall
        {
            Opcode = Opcode.EccEncrypt, Algorithm = (byte)EccCurve.P256, Key = new byte[65], Src = key, DstLen = 256,
        }).Status); // encryption is SM2 only
        Assert.Equal(CompletionStatus.OutOfSpace, _q.Run(new HpreCall
        {
            Opcode = Opcode.EccSign, Algorithm = (byte)EccCurve.P256, Key = key, Src = hash, DstLen = 63,
        }).Status);
    }
}
