using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Tests.Crypto;

/// <summary>The ECC library through an in-process HPRE device.</summary>
public sealed class EccSessionTestsInProcess(HpreRuntime fixture) : EccSessionTests(fixture.Runtime), IClassFixture<HpreRuntime>;

/// <summary>The ECC library through a real wdd's HPRE device (SVA: the broker copies in and out).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class EccSessionTestsBroker(CryptoBrokerFixture fixture) : EccSessionTests(fixture.Runtime), IClassFixture<CryptoBrokerFixture>;

public abstract class EccSessionTests(WdRuntime runtime)
{
    private readonly WdRuntime _runtime = runtime;

    public static TheoryData<EccCurve> NistCurves() => new() { EccCurve.P256, EccCurve.P384, EccCurve.P521 };

    [Theory]
    [MemberData(nameof(NistCurves))]
    public void EcdsaInteroperatesWithTheRuntime(EccCurve curve)
    {
        using var ecdsa = ECDsa.Create(EccKeyPair.NamedCurve(curve));
        EccKeyPair pair = EccKeyPair.FromParameters(ecdsa.ExportParameters(true));
        byte[] hash = SHA384.HashData("ecdsa"u8);
        int length = 2 * EccKeyPair.FieldBytes(curve);

        using var signer = new EccSession(curve, pair.PrivateKey.Span, _runtime);
        byte[] signature = new byte[length];
        Assert.Equal(length, signer.SignHash(hash, signature));
        Assert.True(ecdsa.VerifyHash(hash, signature));

        using var verifier = new EccSession(curve, pair.PublicKey.Span, _runtime);
        byte[] theirs = ecdsa.SignHash(hash);
        Assert.True(verifier.VerifyHash(hash, theirs));
        Assert.True(verifier.VerifyHash(hash, signature));
        theirs[3] ^= 1;
        Assert.False(verifier.VerifyHash(hash, theirs));
    }

    [Theory]
    [MemberData(nameof(NistCurves))]
    public void DeviceKeyPairsAndEcdhMatchTheRuntime(EccCurve curve)
    {
        EccKeyPair ours = EccSession.GenerateKeyPair(curve, _runtime);
        Assert.Equal(EccKeyPair.FieldBytes(curve), ours.PrivateKey.Length);
        using var runtimeOurs = ECDiffieHellman.Create(ours.ToParameters());
        using var theirs = ECDiffieHellman.Create(EccKeyPair.NamedCurve(curve));
        EccKeyPair theirPair = EccKeyPair.FromParameters(theirs.ExportParameters(false));

        using var session = new EccSession(curve, ours.PrivateKey.Span, _runtime);
        byte[] secret = new byte[EccKeyPair.FieldBytes(curve)];
        Assert.Equal(secret.Length, session.DeriveSharedSecret(theirPair.PublicKey.Span, secret));
        using ECDiffieHellmanPublicKey oursPublic = runtimeOurs.PublicKey;
        Assert.Equal(theirs.DeriveRawSecretAgreement(oursPublic), secret);
    }

    [Fact]
    public void X25519MatchesRfc7748()
    {
        byte[] alicePrivate = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] alicePublic = Convert.FromHexString("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        byte[] bobPrivate = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] bobPublic = Convert.FromHexString("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] shared = Convert.FromHexString("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        using var alice = new EccSession(EccCurve.X25519, alicePrivate, _runtime);
        using var bob = new EccSession(EccCurve.X25519, bobPrivate, _runtime);
        byte[] a = new byte[32], b = new byte[32];
        alice.DeriveSharedSecret(bobPublic, a);
        bob.DeriveSharedSecret(alicePublic, b);
        Assert.Equal(shared, a);
        Assert.Equal(shared, b);
    }

    [Theory]
    [InlineData("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    public void Ed25519MatchesRfc8032(string secretKey, string publicKey, string message, string expected)
    {
        byte[] msg = Convert.FromHexString(message);
        using var signer = new EccSession(EccCurve.Ed25519, Convert.FromHexString(secretKey), isPrivateKey: true, _runtime);
        byte[] signature = new byte[64];
        Assert.Equal(64, signer.SignData(msg, signature));
        Assert.Equal(Convert.FromHexString(expected), signature);
        using var verifier = new EccSession(EccCurve.Ed25519, Convert.FromHexString(publicKey), isPrivateKey: false, _runtime);
        Assert.True(verifier.VerifyData(msg, signature));
        signature[0] ^= 1;
        Assert.False(verifier.VerifyData(msg, signature));
    }

    [Fact]
    public async Task Sm2SignsVerifiesEncryptsAndDecrypts()
    {
        EccKeyPair pair = EccSession.GenerateKeyPair(EccCurve.Sm2, _runtime);
        using var priv = new EccSession(EccCurve.Sm2, pair.PrivateKey.Span, _runtime);
        using var pub = new EccSession(EccCurve.Sm2, pair.PublicKey.Span, _runtime);
        Assert.True(priv.IsPrivateKey);
        Assert.False(pub.IsPrivateKey);
        byte[] message = "message digest"u8.ToArray();
        byte[] signature = new byte[64];
        Assert.Equal(64, priv.SignData(message, signature));
        Assert.True(pub.VerifyData(message, signature));
        Assert.True(pub.VerifyData(message, signature, "1234567812345678"u8));
        Assert.False(pub.VerifyData(message, signature, "ALICE123@YAHOO.COM"u8));
        byte[] withId = new byte[64];
        Assert.Equal(64, await priv.SignDataAsync(message, withId, "ALICE123@YAHOO.COM"u8.ToArray()));
        Assert.True(await pub.VerifyDataAsync(message, withId, "ALICE123@YAHOO.COM"u8.ToArray()));
        Assert.False(await pub.VerifyDataAsync(message, withId));

        byte[] ciphertext = new byte[message.Length + EccSession.Sm2CiphertextOverhead];
        Assert.Equal(ciphertext.Length, pub.Encrypt(message, ciphertext));
        byte[] plain = new byte[message.Length];
        Assert.Equal(message.Length, priv.Decrypt(ciphertext, plain));
        Assert.Equal(message, plain);
        ciphertext[^1] ^= 1;
        Assert.Throws<CryptographicException>(() => priv.Decrypt(ciphertext, plain));

        // The same through the asynchronous forms.
        byte[] sealedAsync = new byte[message.Length + EccSession.Sm2CiphertextOverhead];
        Assert.Equal(sealedAsync.Length, await pub.EncryptAsync(message, sealedAsync));
        Array.Clear(plain);
        Assert.Equal(message.Length, await priv.DecryptAsync(sealedAsync, plain));
        Assert.Equal(message, plain);
        sealedAsync[^1] ^= 1;
        await Assert.ThrowsAsync<CryptographicException>(async () => await priv.DecryptAsync(sealedAsync, plain));
    }

    [Fact]
    public async Task AsyncEcdsaInParallel()
    {
        EccKeyPair pair = EccSession.GenerateKeyPair(EccCurve.P256, _runtime);
        using var signer = new EccSession(EccCurve.P256, pair.PrivateKey.Span, _runtime);
        using var verifier = new EccSession(EccCurve.P256, pair.PublicKey.Span, _runtime);
        byte[][] hashes = [.. Enumerable.Range(0, 32).Select(i => SHA256.HashData(BitConverter.GetBytes(i)))];
        byte[][] signatures = [.. hashes.Select(_ => new byte[64])];
        await Task.WhenAll(hashes.Select((h, i) => signer.SignHashAsync(h, signatures[i]).AsTask()));
        bool[] ok = await Task.WhenAll(hashes.Select((h, i) => verifier.VerifyHashAsync(h, signatures[i]).AsTask()));
        Assert.All(ok, Assert.True);
    }

    public static TheoryData<EccCurve> SigningCurves() => new() { EccCurve.P256, EccCurve.P384, EccCurve.P521, EccCurve.Ed25519, EccCurve.Sm2 };

    /// <summary>A signature of the wrong length does not verify (false, as ECDsa.VerifyHash answers), sync and async,
    /// on every signing curve, and nothing is sent to the device; the right signature still verifies.</summary>
    [Theory]
    [MemberData(nameof(SigningCurves))]
    public async Task SignaturesOfTheWrongLengthDoNotVerify(EccCurve curve)
    {
        EccKeyPair pair = EccSession.GenerateKeyPair(curve, _runtime);
        using var signer = new EccSession(curve, pair.PrivateKey.Span, isPrivateKey: true, _runtime);
        using var verifier = new EccSession(curve, pair.PublicKey.Span, isPrivateKey: false, _runtime);
        bool nist = EccKeyPair.IsNist(curve);
        byte[] input = nist ? SHA256.HashData("length"u8) : "length"u8.ToArray();
        byte[] signature = new byte[verifier.SignatureLength];
        Assert.Equal(signature.Length, nist ? signer.SignHash(input, signature) : signer.SignData(input, signature));
        bool Verify(byte[] s) => nist ? verifier.VerifyHash(input, s) : verifier.VerifyData(input, s);
        async Task<bool> VerifyAsync(byte[] s) => nist ? await verifier.VerifyHashAsync(input, s) : await verifier.VerifyDataAsync(input, s);
        Assert.True(Verify(signature)); // the control: it can say true
        Assert.True(await VerifyAsync(signature));

        uint errors = verifier.QueueErrors;
        using ECDsa? runtimeEcdsa = nist ? ECDsa.Create(pair.ToParameters()) : null;
        byte[][] wrong = [[], signature[..^1], [.. signature, 0], [0, .. signature], [.. signature, .. signature]];
        foreach (byte[] bad in wrong)
        {
            if (runtimeEcdsa is not null)
            {
                Assert.False(runtimeEcdsa.VerifyHash(input, bad)); // what .NET answers
            }

            Assert.False(Verify(bad));
            Assert.False(await VerifyAsync(bad));
        }

        Assert.Equal(errors, verifier.QueueErrors); // answered here: the device saw none of them
    }

    [Fact]
    public async Task ParameterErrorsThrowBeforeAnythingIsQueued()
    {
        EccKeyPair pair = EccSession.GenerateKeyPair(EccCurve.P256, _runtime);
        Assert.Throws<ArgumentException>(() => new EccSession(EccCurve.P256, new byte[31], _runtime));
        Assert.Throws<ArgumentException>(() => new EccSession(EccCurve.P384, pair.PrivateKey.Span, _runtime));
        Assert.Throws<ArgumentException>(() => new EccSession(EccCurve.Ed25519, new byte[32], _runtime));
        using var signer = new EccSession(EccCurve.P256, pair.PrivateKey.Span, _runtime);
        uint errors = signer.QueueErrors; // the queue is shared with the class's other tests
        Assert.Throws<ArgumentException>(() => signer.SignHash(new byte[31], new byte[64]));
        Assert.Throws<ArgumentException>(() => signer.SignHash(new byte[32], new byte[63]));
        Assert.Throws<InvalidOperationException>(() => signer.VerifyHash(new byte[32], new byte[64]));
        Assert.Throws<InvalidOperationException>(() => signer.SignData(new byte[32], new byte[64]));
        Assert.Throws<InvalidOperationException>(() => signer.Encrypt(new byte[32], new byte[200]));
        Assert.Throws<ArgumentException>(() => signer.DeriveSharedSecret(new byte[64], new byte[32]));
        Assert.Throws<ArgumentException>(() => signer.DeriveSharedSecret(pair.PublicKey.Span, new byte[31]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await signer.SignHashAsync(new byte[31], new byte[64]));
        Assert.Equal(errors, signer.QueueErrors);
        Assert.Equal(64, signer.SignHash(new byte[32], new byte[64]));
        Assert.Equal(errors, signer.QueueErrors);
    }
}
