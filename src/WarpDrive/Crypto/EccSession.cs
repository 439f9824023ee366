using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>An elliptic-curve session on an HPRE device (UADK's wd_ecc session): one curve and one key, private or
/// public. ECDSA over a hash (P-256/384/521), Ed25519 and SM2 signatures over the message, ECDH (NIST curves) and
/// X25519 key agreement, SM2 encryption (C1||C3||C2). Keys and signatures use the device's encoding
/// (<see cref="EccKeyPair"/>); signatures are r||s, each the field size (Ed25519: 64 bytes, RFC 8032). Every parameter
/// is checked here before anything is queued; a signature of the wrong length does not verify (false, as
/// <see cref="ECDsa.VerifyHash(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> answers). The key never changes, so a session
/// may be shared between threads.</summary>
/// <remarks>The session opens a context for the algorithm its curve names: <c>ecdsa</c> for the NIST curves (HPRE
/// devices that offer it offer <c>ecdh</c> too), <c>x25519</c>, <c>ed25519</c>, <c>sm2</c>.</remarks>
/// <example>
/// <code>
/// EccKeyPair pair = EccSession.GenerateKeyPair(EccCurve.P256);
/// using var signer = new EccSession(EccCurve.P256, pair.PrivateKey.Span);
/// byte[] signature = new byte[64];
/// signer.SignHash(SHA256.HashData(data), signature);
/// </code>
/// </example>
public sealed class EccSession : CryptoSession
{
    /// <summary>Length of SM2's C1 (an uncompressed point) plus C3 (an SM3 hash): what encryption adds.</summary>
    public const int Sm2CiphertextOverhead = 65 + 32;

    private readonly int _field;

    /// <summary>Opens a session on <paramref name="curve"/> keyed with <paramref name="key"/>, private or public by its
    /// length: the field size is a private key, <see cref="EccKeyPair.PublicKeyBytes"/> a public one. A 32-byte X25519
    /// key is private (key agreement needs it); Ed25519's private and public keys are both 32 bytes, so Ed25519 needs
    /// <see cref="EccSession(EccCurve, ReadOnlySpan{byte}, bool, WdRuntime?)"/>.</summary>
    /// <exception cref="ArgumentException">A key of neither length, a public key not in 04||X||Y form, or an Ed25519 key.</exception>
    public EccSession(EccCurve curve, ReadOnlySpan<byte> key, WdRuntime? runtime = null)
        : this(curve, key, IsPrivateByLength(curve, key.Length), runtime)
    {
    }

    /// <summary>Opens a session on <paramref name="curve"/> keyed with <paramref name="key"/>, a private key when
    /// <paramref name="isPrivateKey"/>, else a public key.</summary>
    /// <exception cref="ArgumentException">A key of the wrong length for the curve, or a public key not in 04||X||Y form.</exception>
    /// <exception cref="WdDeviceNotFoundException">No device offers the curve's algorithm.</exception>
    public EccSession(EccCurve curve, ReadOnlySpan<byte> key, bool isPrivateKey, WdRuntime? runtime = null)
        : base(Check(curve, key, isPrivateKey), runtime)
    {
        Curve = curve;
        _field = EccKeyPair.FieldBytes(curve);
        IsPrivateKey = isPrivateKey;
        SetKey(key);
    }

    /// <summary>Checks the key before a queue is taken; returns the device algorithm name for the curve.</summary>
    private static string Check(EccCurve curve, ReadOnlySpan<byte> key, bool isPrivateKey)
    {
        int expected = isPrivateKey ? EccKeyPair.FieldBytes(curve) : EccKeyPair.PublicKeyBytes(curve);
        if (key.Length != expected)
        {
            throw new ArgumentException($"a {curve} {(isPrivateKey ? "private" : "public")} key is {expected} bytes (got {key.Length})", nameof(key));
        }

        if (!isPrivateKey && curve is not (EccCurve.X25519 or EccCurve.Ed25519) && key[0] != 4)
        {
            throw new ArgumentException($"a {curve} public key is an uncompressed point 04||X||Y", nameof(key));
        }

        if (isPrivateKey && curve is not (EccCurve.X25519 or EccCurve.Ed25519) && !key.ContainsAnyExcept((byte)0))
        {
            throw new ArgumentException("an ECC private scalar is not zero", nameof(key));
        }

        return AlgorithmName(curve);
    }

    /// <summary>The curve.</summary>
    public EccCurve Curve { get; }

    /// <summary>Whether the session holds a private key (sign, agree, decrypt) or a public one (verify, encrypt).</summary>
    public bool IsPrivateKey { get; }

    /// <summary>Length of a signature on this curve: 2 x the field size (64 for Ed25519 and SM2).</summary>
    public int SignatureLength => 2 * _field;


    /// <summary>ECDSA (NIST curves): signs <paramref name="hash"/> (20, 28, 32, 48 or 64 bytes; a longer hash than the
    /// order is truncated as FIPS 186 says).</summary>
    /// <returns>Bytes written: <see cref="SignatureLength"/> (r||s).</returns>
    public int SignHash(ReadOnlySpan<byte> hash, Span<byte> signature)
    {
        CheckHashOperation(hash.Length, signing: true);
        CheckSignatureBuffer(signature.Length);
        Cqe cqe = Run(Operation(Opcode.EccSign), hash, signature[..SignatureLength]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Ed25519 or SM2: signs <paramref name="message"/> itself. SM2 hashes the signer's ID
    /// <paramref name="signerId"/> (empty: the default <c>1234567812345678</c>) into the digest; Ed25519 takes none.</summary>
    /// <returns>Bytes written: 64.</returns>
    public int SignData(ReadOnlySpan<byte> message, Span<byte> signature, ReadOnlySpan<byte> signerId = default)
    {
        CheckDataOperation(signerId.Length, signing: true);
        CheckSignatureBuffer(signature.Length);
        Cqe cqe = Run(Operation(Opcode.EccSign), message, signature[..SignatureLength], aad: signerId);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>ECDSA: whether <paramref name="signature"/> (r||s) is valid for <paramref name="hash"/> under the session's
    /// public key.</summary>
    /// <returns>true when it verifies; false when it does not, including a signature that is not
    /// <see cref="SignatureLength"/> bytes long (not sent to the device).</returns>
    public bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        CheckHashOperation(hash.Length, signing: false);
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        Cqe cqe = Run(Operation(Opcode.EccVerify), hash, default, aux: signature);
        return CryptoStatus.Verified(in cqe) == 1;
    }

    /// <summary>Ed25519 or SM2: whether <paramref name="signature"/> is valid for <paramref name="message"/> under the
    /// session's public key (SM2: with the signer's ID <paramref name="signerId"/>, empty for the default).</summary>
    /// <returns>true when it verifies; false when it does not, including a signature that is not 64 bytes long (not sent
    /// to the device).</returns>
    public bool VerifyData(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> signerId = default)
    {
        CheckDataOperation(signerId.Length, signing: false);
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        Cqe cqe = Run(Operation(Opcode.EccVerify), message, default, aad: signerId, aux: signature);
        return CryptoStatus.Verified(in cqe) == 1;
    }

    /// <summary>ECDH (NIST curves: the x coordinate of the shared point) or X25519 (RFC 7748) with the peer's public key.</summary>
    /// <returns>Bytes written: the field size.</returns>
    /// <exception cref="ArgumentException">A peer key of the wrong length or form, or a short destination.</exception>
    public int DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKey, Span<byte> destination)
    {
        CheckAgreement(peerPublicKey, destination.Length);
        Cqe cqe = Run(Operation(Opcode.EccAgree), peerPublicKey, destination[.._field]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>SM2 encryption with the session's public key: writes C1||C3||C2.</summary>
    /// <returns>Bytes written: the plaintext length + <see cref="Sm2CiphertextOverhead"/>.</returns>
    public int Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        int length = CheckEncrypt(plaintext.Length, destination.Length);
        Cqe cqe = Run(Operation(Opcode.EccEncrypt), plaintext, destination[..length]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>SM2 decryption of C1||C3||C2 with the session's private key.</summary>
    /// <returns>Bytes written: the ciphertext length - <see cref="Sm2CiphertextOverhead"/>.</returns>
    /// <exception cref="CryptographicException">C3 does not match or C1 is not a point of the curve: a wrong key or a
    /// tampered ciphertext.</exception>
    public int Decrypt(ReadOnlySpan<byte> ciphertext, Span<byte> destination)
    {
        int length = CheckDecrypt(ciphertext.Length, destination.Length);
        Cqe cqe = Run(Operation(Opcode.EccDecrypt), ciphertext, destination[..length]);
        return CryptoStatus.PublicKeyDecrypted(in cqe);
    }

    /// <summary>Submits an SM2 encryption and returns at once; the buffers stay pinned until the device completes it.</summary>
    /// <returns>Bytes written: the plaintext length + <see cref="Sm2CiphertextOverhead"/>.</returns>
    public ValueTask<int> EncryptAsync(ReadOnlyMemory<byte> plaintext, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        int length = CheckEncrypt(plaintext.Length, destination.Length);
        return RunAsync(Operation(Opcode.EccEncrypt), plaintext, destination[..length], default, default, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits an SM2 decryption and returns at once; a wrong key or a tampered ciphertext fails the task with
    /// <see cref="CryptographicException"/>.</summary>
    public ValueTask<int> DecryptAsync(ReadOnlyMemory<byte> ciphertext, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        int length = CheckDecrypt(ciphertext.Length, destination.Length);
        return RunAsync(Operation(Opcode.EccDecrypt), ciphertext, destination[..length], default, default, default, CryptoStatus.PublicKeyDecrypted, cancellationToken);
    }

    /// <summary>Submits an ECDSA signature and returns at once.</summary>
    /// <returns>Bytes written: <see cref="SignatureLength"/>.</returns>
    public ValueTask<int> SignHashAsync(ReadOnlyMemory<byte> hash, Memory<byte> signature, CancellationToken cancellationToken = default)
    {
        CheckHashOperation(hash.Length, signing: true);
        CheckSignatureBuffer(signature.Length);
        return RunAsync(Operation(Opcode.EccSign), hash, signature[..SignatureLength], default, default, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits an Ed25519 or SM2 signature and returns at once.</summary>
    /// <returns>Bytes written: 64.</returns>
    public ValueTask<int> SignDataAsync(ReadOnlyMemory<byte> message, Memory<byte> signature, ReadOnlyMemory<byte> signerId = default,
        CancellationToken cancellationToken = default)
    {
        CheckDataOperation(signerId.Length, signing: true);
        CheckSignatureBuffer(signature.Length);
        return RunAsync(Operation(Opcode.EccSign), message, signature[..SignatureLength], default, signerId, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits an ECDSA verification and returns at once: true when the signature is valid (a signature of the
    /// wrong length completes false at once, as in <see cref="VerifyHash"/>).</summary>
    public ValueTask<bool> VerifyHashAsync(ReadOnlyMemory<byte> hash, ReadOnlyMemory<byte> signature, CancellationToken cancellationToken = default)
    {
        CheckHashOperation(hash.Length, signing: false);
        return signature.Length != SignatureLength
            ? ValueTask.FromResult(false)
            : VerifyAsync(Operation(Opcode.EccVerify), hash, default, signature, cancellationToken);
    }

    /// <summary>Submits an Ed25519 or SM2 verification and returns at once: true when the signature is valid (a signature
    /// of the wrong length completes false at once, as in <see cref="VerifyData"/>).</summary>
    public ValueTask<bool> VerifyDataAsync(ReadOnlyMemory<byte> message, ReadOnlyMemory<byte> signature, ReadOnlyMemory<byte> signerId = default,
        CancellationToken cancellationToken = default)
    {
        CheckDataOperation(signerId.Length, signing: false);
        return signature.Length != SignatureLength
            ? ValueTask.FromResult(false)
            : VerifyAsync(Operation(Opcode.EccVerify), message, signerId, signature, cancellationToken);
    }

    /// <summary>Submits a key agreement and returns at once.</summary>
    /// <returns>Bytes written: the field size.</returns>
    public ValueTask<int> DeriveSharedSecretAsync(ReadOnlyMemory<byte> peerPublicKey, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        CheckAgreement(peerPublicKey.Span, destination.Length);
        return RunAsync(Operation(Opcode.EccAgree), peerPublicKey, destination[.._field], default, default, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Generates a key pair on <paramref name="curve"/> on the device.</summary>
    /// <param name="curve">The curve.</param>
    /// <param name="runtime">The runtime whose devices to use (default: <see cref="WdRuntime.Default"/>).</param>
    public static EccKeyPair GenerateKeyPair(EccCurve curve, WdRuntime? runtime = null)
    {
        int field = EccKeyPair.FieldBytes(curve);
        int publicBytes = EccKeyPair.PublicKeyBytes(curve);
        using var session = new EccSession(curve, runtime);
        byte[] output = new byte[field + publicBytes];
        try
        {
            Cqe cqe = session.Run(new CryptoOperation(Opcode.EccKeyGen, (byte)curve) { UsesKey = false }, ReadOnlySpan<byte>.Empty, output);
            if (CryptoStatus.Produced(in cqe) != output.Length)
            {
                throw new WdException($"the device returned a {cqe.Produced}-byte {curve} key pair; {output.Length} expected");
            }

            return new EccKeyPair(curve, output.AsSpan(0, field).ToArray(), output.AsSpan(field).ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(output);
        }
    }

    private EccSession(EccCurve curve, WdRuntime? runtime)
        : base(AlgorithmName(curve), runtime)
    {
        Curve = curve;
        _field = EccKeyPair.FieldBytes(curve);
    }

    private CryptoOperation Operation(Opcode opcode) => new(opcode, (byte)Curve);

    private static string AlgorithmName(EccCurve curve) => curve switch
    {
        EccCurve.P256 or EccCurve.P384 or EccCurve.P521 => "ecdsa",
        EccCurve.X25519 => "x25519",
        EccCurve.Ed25519 => "ed25519",
        EccCurve.Sm2 => "sm2",
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "unknown curve"),
    };

    private static bool IsPrivateByLength(EccCurve curve, int length)
    {
        if (curve == EccCurve.Ed25519)
        {
            throw new ArgumentException("Ed25519 private and public keys are both 32 bytes: use the constructor that says which (isPrivateKey)", nameof(curve));
        }

        return curve == EccCurve.X25519 || length == EccKeyPair.FieldBytes(curve);
    }

    private void CheckHashOperation(int hashLength, bool signing)
    {
        ThrowIfDisposed();
        if (!EccKeyPair.IsNist(Curve))
        {
            throw new InvalidOperationException($"{Curve} signs the message itself: use SignData/VerifyData");
        }

        CheckKeyKind(signing, signing ? "sign" : "verify");
        if (hashLength is not (20 or 28 or 32 or 48 or 64))
        {
            throw new ArgumentException($"an ECDSA hash is 20, 28, 32, 48 or 64 bytes (got {hashLength})", nameof(hashLength));
        }
    }

    private void CheckDataOperation(int signerIdLength, bool signing)
    {
        ThrowIfDisposed();
        if (Curve is not (EccCurve.Ed25519 or EccCurve.Sm2))
        {
            throw new InvalidOperationException($"{Curve} signs a hash: use SignHash/VerifyHash");
        }

        CheckKeyKind(signing, signing ? "sign" : "verify");
        if (Curve == EccCurve.Ed25519 && signerIdLength != 0)
        {
            throw new ArgumentException("Ed25519 takes no signer ID (SM2 only)", nameof(signerIdLength));
        }

        if (signerIdLength > 8191)
        {
            throw new ArgumentException($"an SM2 signer ID is at most 8191 bytes (its bit length fits 16 bits; got {signerIdLength})", nameof(signerIdLength));
        }
    }

    private void CheckAgreement(ReadOnlySpan<byte> peerPublicKey, int destinationLength)
    {
        ThrowIfDisposed();
        if (!EccKeyPair.IsNist(Curve) && Curve != EccCurve.X25519)
        {
            throw new InvalidOperationException($"{Curve} offers no key agreement (NIST curves and X25519 do)");
        }

        CheckKeyKind(needPrivate: true, "derive a shared secret");
        int expected = EccKeyPair.PublicKeyBytes(Curve);
        if (peerPublicKey.Length != expected || (Curve != EccCurve.X25519 && peerPublicKey[0] != 4))
        {
            throw new ArgumentException($"a {Curve} peer public key is {(Curve == EccCurve.X25519 ? "32 bytes" : $"an uncompressed point 04||X||Y of {expected} bytes")} (got {peerPublicKey.Length} bytes)", nameof(peerPublicKey));
        }

        if (destinationLength < _field)
        {
            throw new ArgumentException($"the destination must hold {_field} bytes (got {destinationLength})", nameof(destinationLength));
        }
    }

    private int CheckEncrypt(int plaintextLength, int destinationLength)
    {
        ThrowIfDisposed();
        RequireSm2();
        CheckKeyKind(needPrivate: false, "encrypt");
        if (plaintextLength == 0)
        {
            throw new ArgumentException("SM2 encrypts at least one byte", nameof(plaintextLength));
        }

        int length = plaintextLength + Sm2CiphertextOverhead;
        if (plaintextLength > int.MaxValue - Sm2CiphertextOverhead || destinationLength < length)
        {
            throw new ArgumentException($"the destination must hold the plaintext + {Sm2CiphertextOverhead} bytes, {length} (got {destinationLength})", nameof(destinationLength));
        }

        return length;
    }

    private int CheckDecrypt(int ciphertextLength, int destinationLength)
    {
        ThrowIfDisposed();
        RequireSm2();
        CheckKeyKind(needPrivate: true, "decrypt");
        if (ciphertextLength <= Sm2CiphertextOverhead)
        {
            throw new ArgumentException($"an SM2 ciphertext C1||C3||C2 is longer than {Sm2CiphertextOverhead} bytes (got {ciphertextLength})", nameof(ciphertextLength));
        }

        int length = ciphertextLength - Sm2CiphertextOverhead;
        if (destinationLength < length)
        {
            throw new ArgumentException($"the destination must hold {length} bytes (got {destinationLength})", nameof(destinationLength));
        }

        return length;
    }

    private void RequireSm2()
    {
        if (Curve != EccCurve.Sm2)
        {
            throw new InvalidOperationException($"{Curve} offers no encryption (SM2 does)");
        }
    }

    private void CheckKeyKind(bool needPrivate, string what)
    {
        if (needPrivate != IsPrivateKey)
        {
            throw new InvalidOperationException($"the session holds a {(IsPrivateKey ? "private" : "public")} key: to {what}, open a session with the {(needPrivate ? "private" : "public")} key");
        }
    }

    private void CheckSignatureBuffer(int length)
    {
        if (length < SignatureLength)
        {
            throw new ArgumentException($"the signature buffer must hold {SignatureLength} bytes (got {length})", nameof(length));
        }
    }
}
