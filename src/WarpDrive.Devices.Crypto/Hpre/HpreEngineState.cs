using System.Security.Cryptography;
using Org.BouncyCastle.Security;

namespace WarpDrive.Devices.Hpre;

/// <summary>Per-engine-thread state of the HPRE device: the request's memory and a random source for the
/// BouncyCastle engines (blinding, PSS salts, OAEP seeds, SM2 nonces, key generation).</summary>
internal sealed class HpreEngineState(long maxRequestBytes) : IEngineState, IDisposable
{
    public RequestMemory Memory { get; } = new(maxRequestBytes);

    /// <summary>Largest key or auxiliary input an HPRE request may name: an RSA-4096 CRT blob is 2 824 bytes.</summary>
    public const int MaxFieldLength = 4096;

    public SecureRandom Random { get; } = new();

    /// <summary>The request's key, copied once: every check, the cache lookup and the import read this copy, never the
    /// client's memory again (which the client may be rewriting). Zeroed after each request.</summary>
    public byte[] Key { get; } = GC.AllocateArray<byte>(MaxFieldLength, pinned: true);

    /// <summary>An RSA request's source (at most the modulus size), copied once like the key: the range check against
    /// n and the operation read the same bytes.</summary>
    public byte[] Source { get; } = GC.AllocateArray<byte>(MaxFieldLength, pinned: true);

    /// <summary>The request's auxiliary input (signature, prime), copied once like the key.</summary>
    public byte[] Aux { get; } = GC.AllocateArray<byte>(MaxFieldLength, pinned: true);

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(Key);
        CryptographicOperations.ZeroMemory(Source);
        Memory.Dispose();
    }
}
