using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Agreement;
using WarpDrive.Abi;
using WarpDrive.Devices;

namespace WarpDrive.Tests.Hpre;

/// <summary>Every HPRE operation with an input of zero bytes, through the real embedded device: an empty message
/// where the ABI takes one (RSA PKCS#1 and OAEP encryption, Ed25519 and SM2 signatures) works, an empty field the ABI
/// sizes (a hash, a key, a peer, a ciphertext) is BAD_REQUEST, and nothing is INTERNAL_ERROR or counted by the device.</summary>
public sealed class HpreZeroLengthTests : IDisposable
{
    private static readonly Lazy<RSAParameters> s_key = new(() =>
    {
        using var rsa = RSA.Create(2048);
        return rsa.ExportParameters(true);
    });

    private readonly HpreQueue _q = new();

    public void Dispose()
    {
        DeviceHost host = _q.Runtime.FindEmbeddedHost("hpre-0")!;
        Assert.Equal(0, host.FaultCount);
        Assert.Equal(0, host.RequestFailureCount);
        _q.Dispose();
    }

    private static byte[] PrivateBlob => RsaBlob.From(s_key.Value, RsaKeyFormat.PrivateCrt);

    private static byte[] PublicBlob => RsaBlob.From(new RSAParameters { Modulus = s_key.Value.Modulus, Exponent = s_key.Value.Exponent }, RsaKeyFormat.Public);

    [Theory]
    [InlineData(RsaPadding.Pkcs1, DigestAlgorithm.None)]
    [InlineData(RsaPadding.Oaep, DigestAlgorithm.Sha1)]
    [InlineData(RsaPadding.Oaep, DigestAlgorithm.Sha256)]
    public void RsaEncryptionOfNothingDecryptsToNothing(RsaPadding padding, DigestAlgorithm hash)
    {
        using var rsa = RSA.Create();
        rsa.ImportParameters(s_key.Value);
        RSAEncryptionPadding runtimePadding = padding == RsaPadding.Pkcs1 ? RSAEncryptionPadding.Pkcs1
            : hash == DigestAlgorithm.Sha1 ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        if (padding == RsaPadding.Oaep)
        {
            // An empty label is no label: address 0 and length 0, as for any field a request does not use; an empty
            // label at an address is malformed.
            Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall
            {
                Opcode = Opcode.RsaEncrypt, Mode = (byte)padding, Hash = (byte)hash, Key = PublicBlob, Src = [], Aad = [], DstLen = 256,
            }).Status);
        }

        foreach (byte[]? label in padding == RsaPadding.Oaep ? new byte[]?[] { null, "label"u8.ToArray() } : [null])
        {
            foreach (byte[] key in new[] { PublicBlob, PrivateBlob })
            {
                // An empty message at a valid address, and no message at all (address 0).
                foreach (bool placed in new[] { true, false })
                {
                    HpreResult sealedResult = _q.Run(new HpreCall
                    {
                        Opcode = Opcode.RsaEncrypt, Mode = (byte)padding, Hash = (byte)hash, Key = key, Src = placed ? [] : null, Aad = label, DstLen = 256,
                    });
                    Assert.Equal(CompletionStatus.Ok, sealedResult.Status);
                    Assert.Equal(256, sealedResult.Output.Length);
                    if (label is not { Length: > 0 })
                    {
                        Assert.Empty(rsa.Decrypt(sealedResult.Output, runtimePadding)); // the runtime takes no label
                    }

                    HpreResult opened = _q.Run(new HpreCall
                    {
                        Opcode = Opcode.RsaDecrypt, Mode = (byte)padding, Hash = (byte)hash, Key = PrivateBlob, Src = sealedResult.Output, Aad = label, DstLen = placed ? 16 : 0,
                    });
                    Assert.Equal(CompletionStatus.Ok, opened.Status);
                    Assert.Equal(0u, opened.Cqe.Produced);
                }
            }
        }
    }

    [Fact]
    public void RsaFieldsOfFixedSizeRefuseNothing()
    {
        // Raw encryption and every decryption take exactly k bytes; a signature's input is a hash of its size.
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.RsaEncrypt, Mode = (byte)RsaPadding.Raw, Key = PublicBlob, Src = [], DstLen = 256 }).Status);
        foreach (RsaPadding padding in new[] { RsaPadding.Raw, RsaPadding.Pkcs1 })
        {
            Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.RsaDecrypt, Mode = (byte)padding, Key = PrivateBlob, Src = [], DstLen = 256 }).Status);
        }

        foreach (RsaPadding padding in new[] { RsaPadding.Pkcs1, RsaPadding.Pss })
        {
            Assert.Equal(CompletionStatus.BadRequest,
                _q.Run(new HpreCall { Opcode = Opcode.RsaSign, Mode = (byte)padding, Hash = (byte)DigestAlgorithm.Sha256, Key = PrivateBlob, Src = [], DstLen = 256 }).Status);
            Assert.Equal(CompletionStatus.BadRequest,
                _q.Run(new HpreCall { Opcode = Opcode.RsaVerify, Mode = (byte)padding, Hash = (byte)DigestAlgorithm.Sha256, Key = PublicBlob, Src = [], Aux = new byte[256] }).Status);
            Assert.Equal(CompletionStatus.BadRequest, // an empty signature
                _q.Run(new HpreCall { Opcode = Opcode.RsaVerify, Mode = (byte)padding, Hash = (byte)DigestAlgorithm.Sha256, Key = PublicBlob, Src = new byte[32], Aux = [] }).Status);
        }

        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.RsaEncrypt, Mode = (byte)RsaPadding.Pkcs1, Key = [], Src = [1], DstLen = 256 }).Status);
    }

    [Fact]
    public void DhRefusesNothing()
    {
        byte[] prime = DHStandardGroups.rfc3526_2048.P.ToByteArrayUnsigned();
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.DhCompute, Key = [7], Aux = prime, Src = [], DstLen = 256 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.DhCompute, Key = [], Aux = prime, Src = [2], DstLen = 256 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.DhCompute, Key = [7], Aux = [], Src = [2], DstLen = 256 }).Status);
    }

    [Theory]
    [InlineData(EccCurve.Ed25519, 64)]
    [InlineData(EccCurve.Sm2, 97)]
    public void SignaturesOfNothingVerify(EccCurve curve, int keyPairLength)
    {
        HpreResult pair = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)curve, DstLen = keyPairLength, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, pair.Status);
        int privateLength = 32;
        byte[] priv = pair.Output[..privateLength], pub = pair.Output[privateLength..];
        foreach (bool placed in new[] { true, false })
        {
            HpreResult signature = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)curve, Key = priv, Src = placed ? [] : null, DstLen = 64 });
            Assert.Equal(CompletionStatus.Ok, signature.Status);
            Assert.Equal(64, signature.Output.Length);
            Assert.Equal(CompletionStatus.Ok,
                _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = pub, Src = placed ? [] : null, Aux = signature.Output }).Status);
            Assert.Equal(CompletionStatus.AuthFailed, // the signature of nothing is not that of a zero byte
                _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = pub, Src = [0], Aux = signature.Output }).Status);
        }

        if (curve == EccCurve.Sm2)
        {
            // No signer ID (address 0, length 0) is the default one; an empty ID at an address is malformed.
            HpreResult noId = _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)curve, Key = priv, Src = [], DstLen = 64 });
            Assert.Equal(CompletionStatus.Ok, noId.Status);
            Assert.Equal(CompletionStatus.Ok,
                _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = pub, Src = [], Aux = noId.Output, Aad = "1234567812345678"u8.ToArray() }).Status);
            Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)curve, Key = priv, Src = [], Aad = [], DstLen = 64 }).Status);
        }

        // An empty signature, key or public key is malformed.
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = pub, Src = [], Aux = [] }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = [], Src = [], Aux = new byte[64] }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)curve, Key = [], Src = [], DstLen = 64 }).Status);
    }

    [Theory]
    [InlineData(EccCurve.P256)]
    [InlineData(EccCurve.P384)]
    [InlineData(EccCurve.P521)]
    public void NistFieldsRefuseNothing(EccCurve curve)
    {
        int field = curve switch { EccCurve.P384 => 48, EccCurve.P521 => 66, _ => 32 };
        HpreResult pair = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)curve, DstLen = (3 * field) + 1, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, pair.Status);
        byte[] priv = pair.Output[..field], pub = pair.Output[field..];
        // ECDSA takes a hash, not a message: an empty one is malformed; so is an empty peer, signature or key.
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccSign, Algorithm = (byte)curve, Key = priv, Src = [], DstLen = 2 * field }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = pub, Src = [], Aux = new byte[2 * field] }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccVerify, Algorithm = (byte)curve, Key = pub, Src = new byte[32], Aux = [] }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)curve, Key = priv, Src = [], DstLen = field }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)curve, Key = [], Src = pub, DstLen = field }).Status);
    }

    [Fact]
    public void X25519AndSm2EncryptionRefuseNothing()
    {
        HpreResult x = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.X25519, DstLen = 64, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, x.Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccAgree, Algorithm = (byte)EccCurve.X25519, Key = x.Output[..32], Src = [], DstLen = 32 }).Status);

        HpreResult sm2 = _q.Run(new HpreCall { Opcode = Opcode.EccKeyGen, Algorithm = (byte)EccCurve.Sm2, DstLen = 97, NoParams = true });
        Assert.Equal(CompletionStatus.Ok, sm2.Status);
        byte[] priv = sm2.Output[..32], pub = sm2.Output[32..];
        // SM2 encryption takes at least one byte (the ABI says so: its C2 would be empty); decryption more than C1 || C3.
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccEncrypt, Algorithm = (byte)EccCurve.Sm2, Key = pub, Src = [], DstLen = 200 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccDecrypt, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = [], DstLen = 200 }).Status);
        HpreResult one = _q.Run(new HpreCall { Opcode = Opcode.EccEncrypt, Algorithm = (byte)EccCurve.Sm2, Key = pub, Src = [42], DstLen = 200 });
        Assert.Equal(CompletionStatus.Ok, one.Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall { Opcode = Opcode.EccDecrypt, Algorithm = (byte)EccCurve.Sm2, Key = priv, Src = one.Output[..97], DstLen = 200 }).Status);
    }
}
