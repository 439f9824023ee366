using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>An authenticated-encryption session on a SEC device (UADK's wd_aead session): AES-GCM, AES-CCM, SM4-GCM and
/// ChaCha20-Poly1305 with associated data. The ciphertext carries its tag at the end: encryption writes
/// ciphertext || tag, decryption reads it, and a wrong tag throws <see cref="System.Security.Cryptography.AuthenticationTagMismatchException"/>
/// with no plaintext released: the destination holds zeros.</summary>
public sealed class AeadSession : CryptoSession
{
    /// <summary>Opens a session on a device that offers <c>aead</c>.</summary>
    /// <exception cref="ArgumentException">The key or tag length does not fit the algorithm.</exception>
    public AeadSession(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, int tagLength = 16, WdRuntime? runtime = null)
        : base(Check(algorithm, key, tagLength), runtime)
    {
        Algorithm = algorithm;
        TagLength = tagLength;
        SetKey(key);
    }

    /// <summary>Checks the session's parameters before a queue is taken; returns the device algorithm name.</summary>
    private static string Check(AeadAlgorithm algorithm, ReadOnlySpan<byte> key, int tagLength)
    {
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown AEAD algorithm");
        }

        if (!CryptoRules.IsValidKeyLength(algorithm, key.Length))
        {
            throw new ArgumentException($"{algorithm} does not take a {key.Length}-byte key", nameof(key));
        }

        if (!CryptoRules.IsValidTagLength(algorithm, tagLength))
        {
            throw new ArgumentOutOfRangeException(nameof(tagLength), tagLength, $"{algorithm} does not take a {tagLength}-byte tag");
        }

        return "aead";
    }

    /// <summary>The algorithm.</summary>
    public AeadAlgorithm Algorithm { get; }

    /// <summary>Replaces the key; the old key's bytes are zeroed. Waits for the session's requests in flight first (they
    /// complete under the old key); do not submit from another thread meanwhile.</summary>
    public void Rekey(ReadOnlySpan<byte> key)
    {
        if (!CryptoRules.IsValidKeyLength(Algorithm, key.Length))
        {
            throw new ArgumentException($"{Algorithm} does not take a {key.Length}-byte key", nameof(key));
        }

        SetKey(key);
    }

    /// <summary>Tag length in bytes.</summary>
    public int TagLength { get; }

    /// <summary>Encrypts <paramref name="plaintext"/>; <paramref name="destination"/> receives ciphertext || tag.</summary>
    /// <returns>Bytes written: the plaintext length plus <see cref="TagLength"/>.</returns>
    public int Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> destination, ReadOnlySpan<byte> associatedData = default)
    {
        Check(nonce.Length, plaintext.Length, plaintext.Length + (long)TagLength, destination.Length, associatedData.Length);
        Cqe cqe = Run(Operation(Opcode.AeadEncrypt), plaintext, destination, nonce, associatedData);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Checks the tag at the end of <paramref name="source"/> and decrypts the rest into <paramref name="destination"/>.</summary>
    /// <returns>Bytes written: the source length minus <see cref="TagLength"/>.</returns>
    /// <exception cref="System.Security.Cryptography.AuthenticationTagMismatchException">The tag does not match.</exception>
    public int Decrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<byte> associatedData = default)
    {
        CheckSource(source.Length);
        Check(nonce.Length, source.Length - TagLength, source.Length - TagLength, destination.Length, associatedData.Length);
        Cqe cqe = Run(Operation(Opcode.AeadDecrypt), source, destination, nonce, associatedData);
        return CryptoStatus.Decrypted(in cqe);
    }

    /// <summary>Submits an encryption and returns at once; the buffers stay pinned until the device completes it.</summary>
    public ValueTask<int> EncryptAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> plaintext, Memory<byte> destination,
        ReadOnlyMemory<byte> associatedData = default, CancellationToken cancellationToken = default)
    {
        Check(nonce.Length, plaintext.Length, plaintext.Length + (long)TagLength, destination.Length, associatedData.Length);
        return RunAsync(Operation(Opcode.AeadEncrypt), plaintext, destination, nonce, associatedData, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits a decryption and returns at once; a wrong tag fails the task with
    /// <see cref="System.Security.Cryptography.AuthenticationTagMismatchException"/>.</summary>
    public ValueTask<int> DecryptAsync(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> source, Memory<byte> destination,
        ReadOnlyMemory<byte> associatedData = default, CancellationToken cancellationToken = default)
    {
        CheckSource(source.Length);
        Check(nonce.Length, source.Length - TagLength, source.Length - TagLength, destination.Length, associatedData.Length);
        return RunAsync(Operation(Opcode.AeadDecrypt), source, destination, nonce, associatedData, default, CryptoStatus.Decrypted, cancellationToken);
    }

    /// <summary>Submits an encryption whose result goes to <paramref name="callback"/>; false (BUSY) when the queue is
    /// full and nothing was submitted.</summary>
    public bool TryEncrypt(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> plaintext, Memory<byte> destination, ReadOnlyMemory<byte> associatedData,
        CryptoCallback callback, object? state = null)
    {
        Check(nonce.Length, plaintext.Length, plaintext.Length + (long)TagLength, destination.Length, associatedData.Length);
        return TrySubmit(Operation(Opcode.AeadEncrypt), plaintext, destination, nonce, associatedData, callback, state);
    }

    /// <summary>Submits a decryption whose result goes to <paramref name="callback"/> (status
    /// <see cref="Abi.CompletionStatus.AuthFailed"/> for a wrong tag); false (BUSY) when the queue is full and nothing was
    /// submitted.</summary>
    public bool TryDecrypt(ReadOnlyMemory<byte> nonce, ReadOnlyMemory<byte> source, Memory<byte> destination, ReadOnlyMemory<byte> associatedData,
        CryptoCallback callback, object? state = null)
    {
        CheckSource(source.Length);
        Check(nonce.Length, source.Length - TagLength, source.Length - TagLength, destination.Length, associatedData.Length);
        return TrySubmit(Operation(Opcode.AeadDecrypt), source, destination, nonce, associatedData, callback, state);
    }

    private CryptoOperation Operation(Opcode opcode) => new(opcode, (byte)Algorithm) { TagLength = (uint)TagLength };

    private void CheckSource(int length)
    {
        if (length < TagLength)
        {
            throw new ArgumentException($"the source must end with the {TagLength}-byte tag (got {length} bytes)");
        }
    }

    private void Check(int nonceLength, long messageLength, long outputLength, int destinationLength, int aadLength)
    {
        if (!CryptoRules.IsValidNonceLength(Algorithm, nonceLength))
        {
            throw new ArgumentException($"{Algorithm} does not take a {nonceLength}-byte nonce ({(Algorithm == AeadAlgorithm.AesCcm ? "7-13" : "12")} bytes)");
        }

        if (Algorithm == AeadAlgorithm.AesCcm && messageLength > CryptoRules.MaxCcmMessageLength(nonceLength))
        {
            throw new ArgumentException($"AES-CCM with a {nonceLength}-byte nonce takes at most {CryptoRules.MaxCcmMessageLength(nonceLength)} bytes (a shorter nonce allows more)");
        }

        if (destinationLength < outputLength)
        {
            throw new ArgumentException($"the destination must hold {outputLength} bytes (got {destinationLength})");
        }

        if (aadLength > CryptoParams.MaxFieldLength)
        {
            throw new ArgumentException($"associated data is at most {CryptoParams.MaxFieldLength} bytes");
        }
    }
}
