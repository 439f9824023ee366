using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Tests.Crypto;

namespace WarpDrive.Tests.BadData;

/// <summary>Crypto with the wrong key fails cleanly and leaves the session usable: AEAD with another key or a
/// truncated input (tag mismatch or argument error, destination zeroed), RSA, ECDSA, SM2 and Ed25519 verification with
/// another key pair's public key (false, no exception), RSA-OAEP and SM2 decryption with another private key
/// (CryptographicException). The wrong tag and tampered data are in SecSessionTests, SecAeadTests and RsaSessionTests.</summary>
public sealed class WrongKeyTests(HpreRuntime hpre) : IClassFixture<HpreRuntime>
{
    private readonly WdRuntime _runtime = hpre.Runtime;

    [Theory]
    [InlineData(AeadAlgorithm.AesGcm, 32)]
    [InlineData(AeadAlgorithm.ChaCha20Poly1305, 32)]
    public void AeadWithAnotherKeyFailsZeroesAndTheSessionGoesOn(AeadAlgorithm algorithm, int keyLength)
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] plain = RandomNumberGenerator.GetBytes(777);
        byte[] sealedData = new byte[plain.Length + 16];
        using (var sealer = new AeadSession(algorithm, RandomNumberGenerator.GetBytes(keyLength), 16, _runtime))
        {
            sealer.Encrypt(nonce, plain, sealedData, "aad"u8);
        }

        using var wrong = new AeadSession(algorithm, RandomNumberGenerator.GetBytes(keyLength), 16, _runtime);
        byte[] opened = new byte[plain.Length];
        opened.AsSpan().Fill(0xAA);
        Assert.Throws<AuthenticationTagMismatchException>(() => wrong.Decrypt(nonce, sealedData, opened, "aad"u8));
        Assert.DoesNotContain(opened, b => b != 0);

        // Shorter than a tag: refused before anything is queued.
        Assert.ThrowsAny<ArgumentException>(() => wrong.Decrypt(nonce, sealedData.AsSpan(0, 15), opened, "aad"u8));
        // Cut short by one byte: the tag no longer matches.
        Assert.Throws<AuthenticationTagMismatchException>(() => wrong.Decrypt(nonce, sealedData.AsSpan(0, sealedData.Length - 1), opened.AsSpan(0, plain.Length - 1), "aad"u8));

        // The session still works with its own key.
        byte[] again = new byte[sealedData.Length];
        wrong.Encrypt(nonce, plain, again, "aad"u8);
        Assert.Equal(plain.Length, wrong.Decrypt(nonce, again, opened, "aad"u8));
        Assert.Equal(plain, opened);
    }

    [Fact]
    public void RsaWithAnotherKeyDoesNotVerifyOrDecrypt()
    {
        using RSA mine = RSA.Create(2048);
        using RSA other = RSA.Create(2048);
        using RsaKey myKey = RsaKey.FromRsa(mine, includePrivate: true);
        using RsaKey otherPublic = RsaKey.FromRsa(other, includePrivate: false);
        using RsaKey otherPrivate = RsaKey.FromRsa(other, includePrivate: true);
        using var signer = new RsaSession(myKey, _runtime);
        using var verifier = new RsaSession(otherPublic, _runtime);
        byte[] hash = SHA256.HashData("message"u8);
        byte[] signature = new byte[signer.ModulusBytes];
        signer.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Assert.False(verifier.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.False(verifier.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.True(signer.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        byte[] ciphertext = new byte[signer.ModulusBytes];
        signer.Encrypt("secret"u8, ciphertext, RSAEncryptionPadding.OaepSHA256);
        using var otherDecryptor = new RsaSession(otherPrivate, _runtime);
        byte[] plain = new byte[otherDecryptor.ModulusBytes];
        Assert.Throws<CryptographicException>(() => otherDecryptor.Decrypt(ciphertext, plain, RSAEncryptionPadding.OaepSHA256));
        Assert.Equal(6, signer.Decrypt(ciphertext, plain, RSAEncryptionPadding.OaepSHA256)); // both sessions go on
        Assert.Equal("secret"u8.ToArray(), plain[..6]);
    }

    [Theory]
    [InlineData(EccCurve.P256)]
    [InlineData(EccCurve.P384)]
    [InlineData(EccCurve.Sm2)]
    [InlineData(EccCurve.Ed25519)]
    public void SignaturesDoNotVerifyUnderAnotherPublicKey(EccCurve curve)
    {
        EccKeyPair mine = EccSession.GenerateKeyPair(curve, _runtime);
        EccKeyPair other = EccSession.GenerateKeyPair(curve, _runtime);
        using var signer = new EccSession(curve, mine.PrivateKey.Span, isPrivateKey: true, _runtime);
        using var wrong = new EccSession(curve, other.PublicKey.Span, isPrivateKey: false, _runtime);
        using var right = new EccSession(curve, mine.PublicKey.Span, isPrivateKey: false, _runtime);
        byte[] message = "a message"u8.ToArray();
        byte[] signature = new byte[132];
        int length = curve is EccCurve.P256 or EccCurve.P384
            ? signer.SignHash(SHA256.HashData(message), signature)
            : signer.SignData(message, signature);
        signature = signature[..length];
        bool Verify(EccSession s) => curve is EccCurve.P256 or EccCurve.P384
            ? s.VerifyHash(SHA256.HashData(message), signature)
            : s.VerifyData(message, signature);
        Assert.False(Verify(wrong));
        Assert.True(Verify(right));
        Assert.False(Verify(wrong)); // and again: the failure left nothing behind
    }

    [Fact]
    public void Sm2DecryptionWithAnotherKeyFails()
    {
        EccKeyPair mine = EccSession.GenerateKeyPair(EccCurve.Sm2, _runtime);
        EccKeyPair other = EccSession.GenerateKeyPair(EccCurve.Sm2, _runtime);
        using var encryptor = new EccSession(EccCurve.Sm2, mine.PublicKey.Span, isPrivateKey: false, _runtime);
        byte[] ciphertext = new byte[200];
        int length = encryptor.Encrypt("sm2 secret"u8, ciphertext);
        using var wrong = new EccSession(EccCurve.Sm2, other.PrivateKey.Span, isPrivateKey: true, _runtime);
        byte[] plain = new byte[200];
        Assert.ThrowsAny<CryptographicException>(() => wrong.Decrypt(ciphertext.AsSpan(0, length), plain));
        using var right = new EccSession(EccCurve.Sm2, mine.PrivateKey.Span, isPrivateKey: true, _runtime);
        int n = right.Decrypt(ciphertext.AsSpan(0, length), plain);
        Assert.Equal("sm2 secret"u8.ToArray(), plain[..n]);
    }
}
