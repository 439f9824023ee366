using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>Per-engine-thread state of the SEC device: the request's memory, the translated data list, keyed
/// objects cached by key (cipher key schedules, AEAD contexts, HMAC and CMAC states), block-mode hashes, and scratch
/// buffers, so that a request with a key seen before allocates nothing.</summary>
internal sealed class SecEngineState(long maxRequestBytes) : IEngineState, IDisposable
{
    /// <summary>Bytes of keystream, tweaks or counters made per pass.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly SecDigest?[] _hashes = new SecDigest?[(int)DigestAlgorithm.AesCmac + 1];
    private byte[] _staging = [];

    public RequestMemory Memory { get; } = new(maxRequestBytes);

    public (nint Pointer, int Length)[] Segments { get; } = new (nint, int)[DataListEntry.MaxEntries];

    /// <summary>Block cipher key schedules; variant: <see cref="CipherFamily"/>.</summary>
    public KeyedCache<BlockPrimitive> Ciphers { get; } = new(6);

    /// <summary>AEAD contexts; variant: algorithm * 256 + tag length.</summary>
    public KeyedCache<IDisposable> Aeads { get; } = new(4);

    /// <summary>HMAC and CMAC states; variant: algorithm.</summary>
    public KeyedCache<SecDigest> Macs { get; } = new(4);

    public byte[] ScratchA { get; } = new byte[ChunkBytes];

    public byte[] ScratchB { get; } = new byte[ChunkBytes];

    /// <summary>Never written: the plaintext of OFB's keystream.</summary>
    public byte[] Zeros { get; } = new byte[ChunkBytes];

    /// <summary>The block-mode (unkeyed) hash of <paramref name="algorithm"/>, made on first use.</summary>
    public SecDigest Hash(DigestAlgorithm algorithm)
    {
        SecDigest digest = _hashes[(int)algorithm] ??= SecDigest.Create(algorithm, DigestMode.Hash, default);
        digest.Restart();
        return digest;
    }

    /// <summary>A buffer of at least <paramref name="length"/> bytes for a source that must be copied before use (a
    /// data list, or a source that overlaps the destination). <see cref="ClearStaging"/> after use.</summary>
    public Span<byte> Staging(int length)
    {
        if (_staging.Length < length)
        {
            CryptographicOperations.ZeroMemory(_staging);
            _staging = GC.AllocateUninitializedArray<byte>(Math.Max(length, Math.Min(2 * _staging.Length, int.MaxValue / 2)));
        }

        return _staging.AsSpan(0, length);
    }

    /// <summary>Zeroes the first <paramref name="length"/> bytes of the staging buffer and the scratch buffers.</summary>
    public void ClearStaging(int length)
    {
        CryptographicOperations.ZeroMemory(_staging.AsSpan(0, Math.Min(length, _staging.Length)));
    }

    /// <summary>Zeroes the keystream, counters or tweaks a request of <paramref name="length"/> bytes left in the
    /// scratch buffers.</summary>
    public void ClearScratch(long length = ChunkBytes)
    {
        int used = (int)Math.Clamp(length, 0, ChunkBytes);
        CryptographicOperations.ZeroMemory(ScratchA.AsSpan(0, used));
        CryptographicOperations.ZeroMemory(ScratchB.AsSpan(0, used));
    }

    /// <summary>Drops every cached key: the engine keeps clients' keys only while it is busy.</summary>
    public void ForgetKeys()
    {
        Ciphers.Clear();
        Aeads.Clear();
        Macs.Clear();
    }

    public void Dispose()
    {
        Ciphers.Dispose();
        Aeads.Dispose();
        Macs.Dispose();
        foreach (SecDigest? digest in _hashes)
        {
            digest?.Dispose();
        }

        CryptographicOperations.ZeroMemory(_staging);
        ClearScratch();
        Memory.Dispose();
    }
}
