using System.Buffers;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>A block-cipher session on a SEC device (UADK's wd_cipher session): one algorithm and key, any number of
/// requests, each with its own IV. Synchronous, asynchronous and data-list requests; no padding (ECB and CBC take
/// whole blocks).</summary>
/// <example>
/// <code>
/// using var aes = new CipherSession(CipherAlgorithm.AesCbc, key);
/// int n = aes.Encrypt(iv, plaintext, ciphertext);
/// </code>
/// </example>
public sealed class CipherSession : CryptoSession
{
    /// <summary>Opens a session on a device that offers <c>cipher</c>, keyed with <paramref name="key"/>.</summary>
    /// <exception cref="ArgumentException">The key length does not fit the algorithm.</exception>
    /// <exception cref="WdDeviceNotFoundException">No device offers ciphers.</exception>
    public CipherSession(CipherAlgorithm algorithm, ReadOnlySpan<byte> key, WdRuntime? runtime = null)
        : base(Check(algorithm, key), runtime)
    {
        Algorithm = algorithm;
        SetKey(key);
    }

    /// <summary>The cipher and mode.</summary>
    public CipherAlgorithm Algorithm { get; }

    /// <summary>Replaces the key; the old key's bytes are zeroed. Waits for the session's requests in flight first (they
    /// complete under the old key); do not submit from another thread meanwhile.</summary>
    public void Rekey(ReadOnlySpan<byte> key)
    {
        CheckKey(Algorithm, key);
        SetKey(key);
    }

    /// <summary>Encrypts <paramref name="source"/> into <paramref name="destination"/> (at least as long).</summary>
    /// <returns>Bytes written: the source length.</returns>
    public int Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination) =>
        Transform(Opcode.CipherEncrypt, iv, source, destination);

    /// <summary>Decrypts <paramref name="source"/> into <paramref name="destination"/> (at least as long).</summary>
    /// <returns>Bytes written: the source length.</returns>
    public int Decrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination) =>
        Transform(Opcode.CipherDecrypt, iv, source, destination);

    /// <summary>Encrypts a data list: the device reads each segment of <paramref name="source"/> in place.</summary>
    public int Encrypt(ReadOnlySpan<byte> iv, ReadOnlySequence<byte> source, Span<byte> destination)
    {
        Check(iv, source.Length, destination.Length);
        Cqe cqe = Run(new CryptoOperation(Opcode.CipherEncrypt, (byte)Algorithm), source, destination, iv);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Decrypts a data list: the device reads each segment of <paramref name="source"/> in place.</summary>
    public int Decrypt(ReadOnlySpan<byte> iv, ReadOnlySequence<byte> source, Span<byte> destination)
    {
        Check(iv, source.Length, destination.Length);
        Cqe cqe = Run(new CryptoOperation(Opcode.CipherDecrypt, (byte)Algorithm), source, destination, iv);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Submits an encryption and returns at once; the buffers stay pinned until the device completes it.</summary>
    public ValueTask<int> EncryptAsync(ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> source, Memory<byte> destination,
        CancellationToken cancellationToken = default)
    {
        Check(iv.Span, source.Length, destination.Length);
        return RunAsync(new CryptoOperation(Opcode.CipherEncrypt, (byte)Algorithm), source, destination, iv, default, default,
            CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits an encryption whose result goes to <paramref name="callback"/>; false (BUSY) when the queue is
    /// full and nothing was submitted. The buffers stay pinned until the callback.</summary>
    public bool TryEncrypt(ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> source, Memory<byte> destination, CryptoCallback callback, object? state = null)
    {
        Check(iv.Span, source.Length, destination.Length);
        return TrySubmit(new CryptoOperation(Opcode.CipherEncrypt, (byte)Algorithm), source, destination, iv, default, callback, state);
    }

    /// <summary>Submits a decryption whose result goes to <paramref name="callback"/>; false (BUSY) when the queue is
    /// full and nothing was submitted.</summary>
    public bool TryDecrypt(ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> source, Memory<byte> destination, CryptoCallback callback, object? state = null)
    {
        Check(iv.Span, source.Length, destination.Length);
        return TrySubmit(new CryptoOperation(Opcode.CipherDecrypt, (byte)Algorithm), source, destination, iv, default, callback, state);
    }

    /// <summary>Submits a decryption and returns at once; the buffers stay pinned until the device completes it.</summary>
    public ValueTask<int> DecryptAsync(ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> source, Memory<byte> destination,
        CancellationToken cancellationToken = default)
    {
        Check(iv.Span, source.Length, destination.Length);
        return RunAsync(new CryptoOperation(Opcode.CipherDecrypt, (byte)Algorithm), source, destination, iv, default, default,
            CryptoStatus.Produced, cancellationToken);
    }

    private int Transform(Opcode opcode, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Check(iv, source.Length, destination.Length);
        Cqe cqe = Run(new CryptoOperation(opcode, (byte)Algorithm), source, destination, iv);
        return CryptoStatus.Produced(in cqe);
    }

    private void Check(ReadOnlySpan<byte> iv, long sourceLength, int destinationLength)
    {
        int ivLength = CryptoRules.IvLength(Algorithm);
        if (iv.Length != ivLength)
        {
            throw new ArgumentException(ivLength == 0
                ? $"{Algorithm} takes no IV (got {iv.Length} bytes)"
                : $"{Algorithm} needs a {ivLength}-byte IV (got {iv.Length})", nameof(iv));
        }

        if (!CryptoRules.IsValidLength(Algorithm, sourceLength))
        {
            throw new ArgumentException(Algorithm is CipherAlgorithm.AesXts or CipherAlgorithm.Sm4Xts
                ? $"{Algorithm} needs at least 16 bytes of input (got {sourceLength})"
                : $"{Algorithm} takes whole {CryptoRules.BlockSize(Algorithm)}-byte blocks, without padding (got {sourceLength} bytes)", nameof(sourceLength));
        }

        if (sourceLength > uint.MaxValue)
        {
            throw new ArgumentException("one request takes at most 4 GiB - 1", nameof(sourceLength));
        }

        if (destinationLength < sourceLength)
        {
            throw new ArgumentException($"the destination must hold {sourceLength} bytes (got {destinationLength})", nameof(destinationLength));
        }
    }

    /// <summary>Checks the session's parameters before a queue is taken; returns the device algorithm name.</summary>
    private static string Check(CipherAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown cipher algorithm");
        }

        CheckKey(algorithm, key);
        return "cipher";
    }

    private static void CheckKey(CipherAlgorithm algorithm, ReadOnlySpan<byte> key)
    {
        if (!CryptoRules.IsValidKeyLength(algorithm, key.Length))
        {
            throw new ArgumentException($"{algorithm} does not take a {key.Length}-byte key ({KeyLengths(algorithm)})", nameof(key));
        }

        if (algorithm is CipherAlgorithm.TripleDesEcb or CipherAlgorithm.TripleDesCbc && CryptoRules.IsDegenerateTripleDesKey(key))
        {
            throw new ArgumentException("a 3DES key whose first and second, or second and third, 8-byte parts are equal (ignoring parity bits) is single DES", nameof(key));
        }
    }

    private static string KeyLengths(CipherAlgorithm algorithm) => algorithm switch
    {
        CipherAlgorithm.AesXts => "32 or 64 bytes: two AES keys",
        CipherAlgorithm.Sm4Xts => "32 bytes: two SM4 keys",
        CipherAlgorithm.TripleDesEcb or CipherAlgorithm.TripleDesCbc => "24 bytes",
        CipherAlgorithm.Sm4Ecb or CipherAlgorithm.Sm4Cbc or CipherAlgorithm.Sm4Ctr => "16 bytes",
        _ => "16, 24 or 32 bytes",
    };
}
