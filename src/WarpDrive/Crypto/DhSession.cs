using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>A finite-field Diffie-Hellman session on an HPRE device (UADK's wd_dh session): one group (p, g) and one
/// party's private exponent x. Phase 1 computes the public value g^x mod p, phase 2 the shared secret y^x mod p from
/// the peer's public value y. Both are <c>len(p)</c> bytes, big-endian, left-padded.</summary>
/// <remarks>The private exponent is the session's key (device-visible memory the session owns, zeroed on
/// <see cref="CryptoSession.Dispose()"/>), fixed at construction: re-keying between requests would race with requests
/// of other threads, so one party (one private key) is one session, and the session is safe to share between threads.</remarks>
/// <example>
/// <code>
/// DhGroup group = DhGroup.Modp2048;
/// using var alice = new DhSession(group, DhSession.GeneratePrivateKey(group.Prime.Span));
/// byte[] a = new byte[alice.PrimeLength];
/// alice.ComputePublicKey(a);
/// </code>
/// </example>
public sealed class DhSession : CryptoSession
{
    /// <summary>Smallest and largest prime the device takes, in bits.</summary>
    public const int MinPrimeBits = 768, MaxPrimeBits = 4096;

    private readonly byte[] _prime;
    private readonly byte[] _primeMinusOne;
    private readonly byte[] _generator;

    /// <summary>Opens a session on a device that offers <c>dh</c> for the group (<paramref name="prime"/>,
    /// <paramref name="generator"/>) and the private exponent <paramref name="privateKey"/> (copied).</summary>
    /// <exception cref="ArgumentException">A prime that is even, has a leading zero byte, or is outside 768..4096 bits; a
    /// generator outside 1 &lt; g &lt; p - 1; a private key outside 1 &lt; x &lt; p - 1.</exception>
    /// <exception cref="WdDeviceNotFoundException">No device offers DH.</exception>
    public DhSession(ReadOnlySpan<byte> prime, ReadOnlySpan<byte> generator, ReadOnlySpan<byte> privateKey, WdRuntime? runtime = null)
        : base(Check(prime, generator, privateKey), runtime)
    {
        _prime = prime.ToArray();
        _primeMinusOne = MinusOne(_prime);
        _generator = Trim(generator).ToArray();
        SetKey(Trim(privateKey));
    }

    /// <summary>Checks the group and key before a queue is taken; returns the device algorithm name.</summary>
    private static string Check(ReadOnlySpan<byte> prime, ReadOnlySpan<byte> generator, ReadOnlySpan<byte> privateKey)
    {
        CheckPrime(prime);
        byte[] primeMinusOne = MinusOne(prime);
        if (!IsInRange(generator, primeMinusOne))
        {
            throw new ArgumentException("a DH generator must lie strictly between 1 and p - 1", nameof(generator));
        }

        if (!IsInRange(privateKey, primeMinusOne))
        {
            throw new ArgumentException("a DH private key must lie strictly between 1 and p - 1 (see GeneratePrivateKey)", nameof(privateKey));
        }

        return "dh";
    }

    /// <summary>Opens a session for <paramref name="group"/> and the private exponent <paramref name="privateKey"/>.</summary>
    public DhSession(DhGroup group, ReadOnlySpan<byte> privateKey, WdRuntime? runtime = null)
        : this((group ?? throw new ArgumentNullException(nameof(group))).Prime.Span, group.Generator.Span, privateKey, runtime)
    {
    }

    /// <summary>len(p) in bytes: the length of every public value and shared secret.</summary>
    public int PrimeLength => _prime.Length;


    /// <summary>Phase 1: writes this party's public value g^x mod p.</summary>
    /// <returns>Bytes written: <see cref="PrimeLength"/>.</returns>
    /// <exception cref="ArgumentException">The destination is shorter than <see cref="PrimeLength"/>.</exception>
    public int ComputePublicKey(Span<byte> publicKey)
    {
        CheckDestination(publicKey.Length);
        Cqe cqe = Run(Operation, _generator, publicKey[..PrimeLength], aux: _prime);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Phase 2: writes the shared secret y^x mod p for the peer's public value <paramref name="peerPublicKey"/>.</summary>
    /// <returns>Bytes written: <see cref="PrimeLength"/>.</returns>
    /// <exception cref="ArgumentException">A peer value outside 1 &lt; y &lt; p - 1, or a destination shorter than
    /// <see cref="PrimeLength"/>.</exception>
    public int ComputeSharedSecret(ReadOnlySpan<byte> peerPublicKey, Span<byte> sharedSecret)
    {
        CheckPeer(peerPublicKey);
        CheckDestination(sharedSecret.Length);
        Cqe cqe = Run(Operation, peerPublicKey, sharedSecret[..PrimeLength], aux: _prime);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Submits phase 1 and returns at once.</summary>
    /// <returns>Bytes written: <see cref="PrimeLength"/>.</returns>
    public ValueTask<int> ComputePublicKeyAsync(Memory<byte> publicKey, CancellationToken cancellationToken = default)
    {
        CheckDestination(publicKey.Length);
        return RunAsync(Operation, _generator, publicKey[..PrimeLength], default, default, _prime, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits phase 2 and returns at once; the buffers stay pinned until the device completes it.</summary>
    /// <returns>Bytes written: <see cref="PrimeLength"/>.</returns>
    public ValueTask<int> ComputeSharedSecretAsync(ReadOnlyMemory<byte> peerPublicKey, Memory<byte> sharedSecret,
        CancellationToken cancellationToken = default)
    {
        CheckPeer(peerPublicKey.Span);
        CheckDestination(sharedSecret.Length);
        return RunAsync(Operation, peerPublicKey, sharedSecret[..PrimeLength], default, default, _prime, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>A random private exponent x with 1 &lt; x &lt; p - 1, from <see cref="RandomNumberGenerator"/>,
    /// <c>len(p)</c> bytes.</summary>
    /// <exception cref="ArgumentException">The prime is not one the device takes.</exception>
    public static byte[] GeneratePrivateKey(ReadOnlySpan<byte> prime)
    {
        CheckPrime(prime);
        byte[] primeMinusOne = MinusOne(prime);
        byte[] x = new byte[prime.Length];
        byte mask = (byte)(0xFF >> (System.Numerics.BitOperations.LeadingZeroCount((uint)prime[0]) - 24));
        do
        {
            RandomNumberGenerator.Fill(x);
            x[0] &= mask;
        }
        while (!IsInRange(x, primeMinusOne));

        return x;
    }

    private static CryptoOperation Operation => new(Opcode.DhCompute, 0);

    private void CheckDestination(int length)
    {
        ThrowIfDisposed();
        if (length < PrimeLength)
        {
            throw new ArgumentException($"the destination must hold {PrimeLength} bytes, the length of p (got {length})", nameof(length));
        }
    }

    private void CheckPeer(ReadOnlySpan<byte> peerPublicKey)
    {
        if (!IsInRange(peerPublicKey))
        {
            throw new ArgumentException("a DH public value must lie strictly between 1 and p - 1", nameof(peerPublicKey));
        }
    }

    private bool IsInRange(ReadOnlySpan<byte> value) => IsInRange(value, _primeMinusOne);

    /// <summary>Whether 1 &lt; <paramref name="value"/> &lt; p - 1 (big-endian, leading zeros allowed).</summary>
    private static bool IsInRange(ReadOnlySpan<byte> value, ReadOnlySpan<byte> primeMinusOne)
    {
        ReadOnlySpan<byte> v = Trim(value);
        if (v.IsEmpty || (v.Length == 1 && v[0] == 1))
        {
            return false;
        }

        return v.Length != primeMinusOne.Length ? v.Length < primeMinusOne.Length : v.SequenceCompareTo(primeMinusOne) < 0;
    }

    private static void CheckPrime(ReadOnlySpan<byte> prime)
    {
        int bits = prime.IsEmpty || prime[0] == 0 ? 0 : ((prime.Length - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)prime[0]));
        if (prime.IsEmpty || prime[0] == 0)
        {
            throw new ArgumentException("a DH prime is big-endian without a leading zero byte", nameof(prime));
        }

        if (bits is < MinPrimeBits or > MaxPrimeBits)
        {
            throw new ArgumentException($"the HPRE device takes DH primes of {MinPrimeBits} to {MaxPrimeBits} bits (got {bits})", nameof(prime));
        }

        if ((prime[^1] & 1) == 0)
        {
            throw new ArgumentException("a DH prime is odd", nameof(prime));
        }
    }

    /// <summary>p - 1 for an odd p: the last byte less one, no borrow.</summary>
    private static byte[] MinusOne(ReadOnlySpan<byte> prime)
    {
        byte[] result = prime.ToArray();
        result[^1]--;
        return result;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value)
    {
        int i = 0;
        while (i < value.Length && value[i] == 0)
        {
            i++;
        }

        return value[i..];
    }
}
