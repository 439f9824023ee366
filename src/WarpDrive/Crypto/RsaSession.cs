using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>An RSA session on an HPRE device (UADK's wd_rsa session): one key, any number of signatures, verifications,
/// encryptions and decryptions. Signatures are over a hash the caller computed (PKCS#1 v1.5 or PSS with a salt as long
/// as the hash); encryption is PKCS#1 v1.5, OAEP (SHA-1/256/384/512, with an optional label) or raw. Every parameter is
/// checked here before anything is queued. Hostile input is answered as <see cref="RSA"/> answers it: a signature of the
/// wrong length does not verify (false), a ciphertext of the wrong length does not decrypt
/// (<see cref="CryptographicException"/>). Safe to use from several threads: the key never changes.</summary>
/// <example>
/// <code>
/// using RsaKey key = RsaSession.GenerateKey(2048);
/// using var rsa = new RsaSession(key);
/// byte[] signature = new byte[rsa.ModulusBytes];
/// rsa.SignHash(SHA256.HashData(data), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
/// </code>
/// </example>
public sealed class RsaSession : CryptoSession
{
    /// <summary>Smallest and largest modulus a key generation takes, in bits (a multiple of 256).</summary>
    public const int MinKeyBits = 1024, MaxKeyBits = 4096;

    private readonly byte[] _modulus;
    private readonly int _modulusBits;

    /// <summary>Opens a session on a device that offers <c>rsa</c>, keyed with <paramref name="key"/> (copied: the
    /// caller may dispose it).</summary>
    /// <exception cref="WdDeviceNotFoundException">No device offers RSA.</exception>
    public RsaSession(RsaKey key, WdRuntime? runtime = null)
        : base(CheckKey(key), runtime)
    {
        ReadOnlySpan<byte> blob = key.Blob;
        ModulusBytes = key.ModulusBytes;
        KeyFormat = key.Format;
        _modulusBits = key.ModulusBits;
        _modulus = blob.Slice(RsaKeyHeader.Size, ModulusBytes).ToArray();
        SetKey(blob);
    }

    private static string CheckKey(RsaKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return "rsa";
    }

    private RsaSession(WdRuntime? runtime)
        : base("rsa", runtime) => _modulus = [];

    /// <summary>k: the modulus size in bytes, the size of every signature and ciphertext.</summary>
    public int ModulusBytes { get; }

    /// <summary>Whether the session's key is public, private, or private with the CRT factors.</summary>
    public RsaKeyFormat KeyFormat { get; }


    /// <summary>Signs <paramref name="hash"/> (the <paramref name="hashAlgorithm"/> digest of the message).</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    /// <exception cref="ArgumentException">A hash of the wrong length, a destination shorter than the modulus, or a hash or
    /// padding the device does not offer.</exception>
    /// <exception cref="InvalidOperationException">The session holds a public key.</exception>
    public int SignHash(ReadOnlySpan<byte> hash, Span<byte> signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        CryptoOperation op = SignOperation(hash.Length, signature.Length, hashAlgorithm, padding);
        Cqe cqe = Run(in op, hash, signature[..ModulusBytes]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Whether <paramref name="signature"/> is a valid signature of <paramref name="hash"/> by this key.</summary>
    /// <returns>true when it verifies; false when it does not, including a signature that is not exactly
    /// <see cref="ModulusBytes"/> long (not sent to the device), as <see cref="RSA.VerifyHash(ReadOnlySpan{byte}, ReadOnlySpan{byte}, HashAlgorithmName, RSASignaturePadding)"/> answers.</returns>
    /// <exception cref="ArgumentException">A hash of the wrong length, or a hash or padding the device does not offer.</exception>
    public bool VerifyHash(ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        CryptoOperation op = VerifyOperation(hash.Length, hashAlgorithm, padding);
        if (signature.Length != ModulusBytes)
        {
            return false;
        }

        Cqe cqe = Run(in op, hash, default, aux: signature);
        return CryptoStatus.Verified(in cqe) == 1;
    }

    /// <summary>Encrypts <paramref name="data"/> with the public key (PKCS#1 v1.5 or OAEP with an empty label).</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    /// <exception cref="ArgumentException">Data longer than the padding allows (k - 11 for PKCS#1, k - 2h - 2 for OAEP), a
    /// destination shorter than the modulus, or a padding the device does not offer.</exception>
    public int Encrypt(ReadOnlySpan<byte> data, Span<byte> destination, RSAEncryptionPadding padding) =>
        Encrypt(data, destination, padding, ReadOnlySpan<byte>.Empty);

    /// <summary>Encrypts <paramref name="data"/> with the public key, OAEP binding <paramref name="label"/> (RFC 8017's
    /// label L, which <see cref="RSA"/> always leaves empty) into the ciphertext: only a decryption given the same label
    /// releases the message.</summary>
    /// <param name="data">The message.</param>
    /// <param name="destination">Receives the ciphertext, <see cref="ModulusBytes"/> long.</param>
    /// <param name="padding">The padding: OAEP for a non-empty label; an empty label is the same as none, so PKCS#1 v1.5
    /// takes it too.</param>
    /// <param name="label">The label, at most 1 MiB; empty is the label of <see cref="Encrypt(ReadOnlySpan{byte}, Span{byte}, RSAEncryptionPadding)"/>.</param>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    /// <exception cref="ArgumentException">Data longer than the padding allows (k - 11 for PKCS#1, k - 2h - 2 for OAEP), a
    /// destination shorter than the modulus, a padding the device does not offer, or a non-empty label with a padding
    /// other than OAEP or longer than 1 MiB.</exception>
    public int Encrypt(ReadOnlySpan<byte> data, Span<byte> destination, RSAEncryptionPadding padding, ReadOnlySpan<byte> label)
    {
        CryptoOperation op = EncryptOperation(data.Length, destination.Length, padding, label.Length);
        Cqe cqe = Run(in op, data, destination[..ModulusBytes], aad: label);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Raw RSA with the public key (no padding): <paramref name="data"/> is a number below the modulus, exactly
    /// <see cref="ModulusBytes"/> long, big-endian.</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    public int EncryptRaw(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckRaw(data, destination.Length);
        Cqe cqe = Run(new CryptoOperation(Opcode.RsaEncrypt, 0) { Mode = (byte)RsaPadding.Raw }, data, destination[..ModulusBytes]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Decrypts <paramref name="data"/> with the private key (PKCS#1 v1.5, or OAEP with an empty label).</summary>
    /// <returns>Bytes written: the message length.</returns>
    /// <exception cref="ArgumentException">A destination shorter than the longest message the padding allows, or a
    /// padding the device does not offer.</exception>
    /// <exception cref="CryptographicException">The ciphertext is not exactly <see cref="ModulusBytes"/> long (not sent to
    /// the device), or its padding does not check: a wrong key or a tampered ciphertext.</exception>
    public int Decrypt(ReadOnlySpan<byte> data, Span<byte> destination, RSAEncryptionPadding padding) =>
        Decrypt(data, destination, padding, ReadOnlySpan<byte>.Empty);

    /// <summary>Decrypts <paramref name="data"/> with the private key; with OAEP, <paramref name="label"/> must be the
    /// label the message was encrypted with (see <see cref="Encrypt(ReadOnlySpan{byte}, Span{byte}, RSAEncryptionPadding, ReadOnlySpan{byte})"/>).</summary>
    /// <param name="data">The ciphertext, <see cref="ModulusBytes"/> long.</param>
    /// <param name="destination">Receives the message; it must hold the longest message the padding allows.</param>
    /// <param name="padding">The padding: OAEP for a non-empty label.</param>
    /// <param name="label">The label, at most 1 MiB; empty when the encryption had none.</param>
    /// <returns>Bytes written: the message length.</returns>
    /// <exception cref="ArgumentException">A destination shorter than the longest message the padding allows, a padding
    /// the device does not offer, or a non-empty label with a padding other than OAEP or longer than 1 MiB.</exception>
    /// <exception cref="CryptographicException">The ciphertext is not exactly <see cref="ModulusBytes"/> long (not sent to
    /// the device), or it does not check: a wrong key or label, or a tampered ciphertext. Nothing is written.</exception>
    public int Decrypt(ReadOnlySpan<byte> data, Span<byte> destination, RSAEncryptionPadding padding, ReadOnlySpan<byte> label)
    {
        CryptoOperation op = DecryptOperation(destination.Length, padding, label.Length);
        CheckCiphertextLength(data.Length);
        Cqe cqe = Run(in op, data, destination, aad: label);
        return CryptoStatus.PublicKeyDecrypted(in cqe);
    }

    /// <summary>Raw RSA with the private key: <paramref name="data"/> is a number below the modulus, exactly
    /// <see cref="ModulusBytes"/> long; the result is too.</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    public int DecryptRaw(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        RequirePrivate("decrypt");
        CheckRaw(data, destination.Length);
        Cqe cqe = Run(new CryptoOperation(Opcode.RsaDecrypt, 0) { Mode = (byte)RsaPadding.Raw }, data, destination[..ModulusBytes]);
        return CryptoStatus.PublicKeyDecrypted(in cqe);
    }

    /// <summary>Submits a raw RSA encryption (see <see cref="EncryptRaw"/>) and returns at once.</summary>
    public ValueTask<int> EncryptRawAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        CheckRaw(data.Span, destination.Length);
        return RunAsync(new CryptoOperation(Opcode.RsaEncrypt, 0) { Mode = (byte)RsaPadding.Raw }, data, destination[..ModulusBytes],
            default, default, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits a raw RSA decryption (see <see cref="DecryptRaw"/>) and returns at once.</summary>
    public ValueTask<int> DecryptRawAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        RequirePrivate("decrypt");
        CheckRaw(data.Span, destination.Length);
        return RunAsync(new CryptoOperation(Opcode.RsaDecrypt, 0) { Mode = (byte)RsaPadding.Raw }, data, destination[..ModulusBytes],
            default, default, default, CryptoStatus.PublicKeyDecrypted, cancellationToken);
    }

    /// <summary>Submits a signature and returns at once; the buffers stay pinned until the device completes it.</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    public ValueTask<int> SignHashAsync(ReadOnlyMemory<byte> hash, Memory<byte> signature, HashAlgorithmName hashAlgorithm,
        RSASignaturePadding padding, CancellationToken cancellationToken = default)
    {
        CryptoOperation op = SignOperation(hash.Length, signature.Length, hashAlgorithm, padding);
        return RunAsync(op, hash, signature[..ModulusBytes], default, default, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits a verification and returns at once: true when the signature is valid, false when it is not
    /// (a signature not exactly <see cref="ModulusBytes"/> long completes false at once, as in
    /// <see cref="VerifyHash"/>).</summary>
    public ValueTask<bool> VerifyHashAsync(ReadOnlyMemory<byte> hash, ReadOnlyMemory<byte> signature, HashAlgorithmName hashAlgorithm,
        RSASignaturePadding padding, CancellationToken cancellationToken = default)
    {
        CryptoOperation op = VerifyOperation(hash.Length, hashAlgorithm, padding);
        return signature.Length != ModulusBytes ? ValueTask.FromResult(false) : VerifyAsync(op, hash, default, signature, cancellationToken);
    }

    /// <summary>Submits an encryption and returns at once.</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    public ValueTask<int> EncryptAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, RSAEncryptionPadding padding,
        CancellationToken cancellationToken = default) =>
        EncryptAsync(data, destination, padding, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>Submits an encryption with an OAEP label (see
    /// <see cref="Encrypt(ReadOnlySpan{byte}, Span{byte}, RSAEncryptionPadding, ReadOnlySpan{byte})"/>) and returns at
    /// once; the buffers and the label stay pinned until the device completes it.</summary>
    /// <returns>Bytes written: <see cref="ModulusBytes"/>.</returns>
    public ValueTask<int> EncryptAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, RSAEncryptionPadding padding,
        ReadOnlyMemory<byte> label, CancellationToken cancellationToken = default)
    {
        CryptoOperation op = EncryptOperation(data.Length, destination.Length, padding, label.Length);
        return RunAsync(op, data, destination[..ModulusBytes], default, label, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits a decryption and returns at once; a ciphertext of the wrong length or a padding failure faults
    /// the task with a <see cref="CryptographicException"/>.</summary>
    /// <returns>Bytes written: the message length.</returns>
    public ValueTask<int> DecryptAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, RSAEncryptionPadding padding,
        CancellationToken cancellationToken = default) =>
        DecryptAsync(data, destination, padding, ReadOnlyMemory<byte>.Empty, cancellationToken);

    /// <summary>Submits a decryption with an OAEP label (see
    /// <see cref="Decrypt(ReadOnlySpan{byte}, Span{byte}, RSAEncryptionPadding, ReadOnlySpan{byte})"/>) and returns at
    /// once; a ciphertext of the wrong length, a wrong label or a padding failure faults the task with a
    /// <see cref="CryptographicException"/>.</summary>
    /// <returns>Bytes written: the message length.</returns>
    public ValueTask<int> DecryptAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, RSAEncryptionPadding padding,
        ReadOnlyMemory<byte> label, CancellationToken cancellationToken = default)
    {
        CryptoOperation op = DecryptOperation(destination.Length, padding, label.Length);
        if (data.Length != ModulusBytes)
        {
            return ValueTask.FromException<int>(CiphertextLengthError(data.Length));
        }

        return RunAsync(op, data, destination, default, label, default, CryptoStatus.PublicKeyDecrypted, cancellationToken);
    }

    /// <summary>Generates an RSA key on the device (public exponent 65537).</summary>
    /// <param name="bits">Modulus size: 1024 to 4096, a multiple of 256.</param>
    /// <param name="runtime">The runtime whose devices to use (default: <see cref="WdRuntime.Default"/>).</param>
    /// <returns>A private key with the CRT factors; the caller disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is outside 1024..4096 or not a multiple of 256.</exception>
    public static RsaKey GenerateKey(int bits, WdRuntime? runtime = null)
    {
        if (bits is < MinKeyBits or > MaxKeyBits || bits % 256 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bits), bits, "the HPRE device generates RSA keys of 1024 to 4096 bits, in steps of 256");
        }

        using var session = new RsaSession(runtime);
        byte[] blob = new byte[RsaKeyHeader.BlobLength(RsaKeyFormat.PrivateCrt, bits / 8)];
        try
        {
            Cqe cqe = session.Run(new CryptoOperation(Opcode.RsaKeyGen, 0) { Arg = (uint)bits, UsesKey = false }, ReadOnlySpan<byte>.Empty, blob);
            if (CryptoStatus.Produced(in cqe) != blob.Length)
            {
                throw new WdException($"the device returned a {cqe.Produced}-byte RSA key blob; {blob.Length} expected");
            }

            return RsaKey.FromBlob(blob);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(blob);
            throw;
        }
    }

    /// <summary>The ABI's hash for <paramref name="hashAlgorithm"/>: SHA-1, SHA-256, SHA-384 or SHA-512.</summary>
    internal static DigestAlgorithm MapHash(HashAlgorithmName hashAlgorithm, string parameterName)
    {
        string? name = hashAlgorithm.Name;
        return name switch
        {
            "SHA1" => DigestAlgorithm.Sha1,
            "SHA256" => DigestAlgorithm.Sha256,
            "SHA384" => DigestAlgorithm.Sha384,
            "SHA512" => DigestAlgorithm.Sha512,
            _ => throw new ArgumentException($"the HPRE device's RSA takes SHA1, SHA256, SHA384 or SHA512, not {name ?? "(null)"}", parameterName),
        };
    }

    private CryptoOperation SignOperation(int hashLength, int signatureLength, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        RequirePrivate("sign");
        CryptoOperation op = SignatureOperation(Opcode.RsaSign, hashLength, hashAlgorithm, padding);
        if (signatureLength < ModulusBytes)
        {
            throw new ArgumentException($"the signature buffer must hold {ModulusBytes} bytes (got {signatureLength})", nameof(signatureLength));
        }

        return op;
    }

    private CryptoOperation VerifyOperation(int hashLength, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding) =>
        SignatureOperation(Opcode.RsaVerify, hashLength, hashAlgorithm, padding);

    private CryptoOperation SignatureOperation(Opcode opcode, int hashLength, HashAlgorithmName hashAlgorithm, RSASignaturePadding padding)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(padding);
        DigestAlgorithm hash = MapHash(hashAlgorithm, nameof(hashAlgorithm));
        RsaPadding mode = padding.Mode switch
        {
            RSASignaturePaddingMode.Pkcs1 => RsaPadding.Pkcs1,
            RSASignaturePaddingMode.Pss when padding == RSASignaturePadding.Pss => RsaPadding.Pss,
            _ => throw new ArgumentException($"the HPRE device signs with PKCS#1 v1.5 or PSS (salt = hash length), not {padding}", nameof(padding)),
        };
        int size = CryptoRules.HashSize(hash);
        if (hashLength != size)
        {
            throw new ArgumentException($"a {hashAlgorithm.Name} hash is {size} bytes (got {hashLength})", nameof(hashLength));
        }

        // PSS encodes into ceil((bits - 1) / 8) bytes: the hash, a salt as long, and two more bytes must fit.
        int encodedLength = (_modulusBits + 6) / 8;
        if (mode == RsaPadding.Pss && encodedLength < (2 * size) + 2)
        {
            throw new ArgumentException($"PSS with {hashAlgorithm.Name} (salt = hash length) needs a modulus of at least {(8 * ((2 * size) + 2)) + 1} bits (this key has {_modulusBits})", nameof(hashAlgorithm));
        }

        return new CryptoOperation(opcode, 0) { Mode = (byte)mode, Hash = hash };
    }

    private CryptoOperation EncryptOperation(int dataLength, int destinationLength, RSAEncryptionPadding padding, int labelLength)
    {
        ThrowIfDisposed();
        (RsaPadding mode, DigestAlgorithm hash) = MapPadding(padding, labelLength);
        int limit = MaxMessageLength(mode, hash);
        if (dataLength > limit)
        {
            throw new ArgumentException($"{padding} with a {ModulusBytes * 8}-bit key encrypts at most {limit} bytes (got {dataLength})", nameof(dataLength));
        }

        if (destinationLength < ModulusBytes)
        {
            throw new ArgumentException($"the destination must hold {ModulusBytes} bytes (got {destinationLength})", nameof(destinationLength));
        }

        return new CryptoOperation(Opcode.RsaEncrypt, 0) { Mode = (byte)mode, Hash = hash };
    }

    private CryptoOperation DecryptOperation(int destinationLength, RSAEncryptionPadding padding, int labelLength)
    {
        ThrowIfDisposed();
        RequirePrivate("decrypt");
        (RsaPadding mode, DigestAlgorithm hash) = MapPadding(padding, labelLength);
        int limit = MaxMessageLength(mode, hash);
        if (destinationLength < limit)
        {
            throw new ArgumentException($"the destination must hold the longest message {padding} allows, {limit} bytes (got {destinationLength})", nameof(destinationLength));
        }

        return new CryptoOperation(Opcode.RsaDecrypt, 0) { Mode = (byte)mode, Hash = hash };
    }

    private int MaxMessageLength(RsaPadding mode, DigestAlgorithm hash) => mode switch
    {
        RsaPadding.Pkcs1 => ModulusBytes - 11,
        RsaPadding.Oaep => ModulusBytes - (2 * CryptoRules.HashSize(hash)) - 2,
        _ => ModulusBytes,
    };

    private static (RsaPadding Mode, DigestAlgorithm Hash) MapPadding(RSAEncryptionPadding padding, int labelLength)
    {
        ArgumentNullException.ThrowIfNull(padding);
        (RsaPadding Mode, DigestAlgorithm Hash) mapped = padding.Mode switch
        {
            RSAEncryptionPaddingMode.Pkcs1 => (RsaPadding.Pkcs1, DigestAlgorithm.None),
            RSAEncryptionPaddingMode.Oaep => (RsaPadding.Oaep, MapHash(padding.OaepHashAlgorithm, nameof(padding))),
            _ => throw new ArgumentException($"the HPRE device encrypts with PKCS#1 v1.5 or OAEP, not {padding}", nameof(padding)),
        };
        if (labelLength != 0 && mapped.Mode != RsaPadding.Oaep)
        {
            throw new ArgumentException($"only OAEP takes a label, not {padding}", nameof(labelLength));
        }

        if (labelLength > CryptoParams.MaxFieldLength)
        {
            throw new ArgumentException($"an OAEP label is at most {CryptoParams.MaxFieldLength} bytes (got {labelLength})", nameof(labelLength));
        }

        return mapped;
    }

    /// <summary>A ciphertext that is not k bytes long cannot be one of this key's: a decryption error, as
    /// <see cref="RSA.Decrypt(byte[], RSAEncryptionPadding)"/> answers it.</summary>
    private void CheckCiphertextLength(int length)
    {
        if (length != ModulusBytes)
        {
            throw CiphertextLengthError(length);
        }
    }

    private CryptographicException CiphertextLengthError(int length) =>
        new($"an RSA ciphertext with this key is {ModulusBytes} bytes (got {length}): not a ciphertext of this key");

    private void CheckRaw(ReadOnlySpan<byte> data, int destinationLength)
    {
        ThrowIfDisposed();
        if (data.Length != ModulusBytes)
        {
            throw new ArgumentException($"raw RSA takes exactly {ModulusBytes} bytes (got {data.Length})", nameof(data));
        }

        if (data.SequenceCompareTo(_modulus) >= 0)
        {
            throw new ArgumentException("raw RSA input must be a number below the modulus", nameof(data));
        }

        if (destinationLength < ModulusBytes)
        {
            throw new ArgumentException($"the destination must hold {ModulusBytes} bytes (got {destinationLength})", nameof(destinationLength));
        }
    }

    private void RequirePrivate(string what)
    {
        if (KeyFormat == RsaKeyFormat.Public)
        {
            throw new InvalidOperationException($"the session holds a public key: it cannot {what}");
        }
    }
}
