using Org.BouncyCastle.Security;

namespace WarpDrive.Devices.Hpre;

/// <summary>Per-engine-thread state of the HPRE device: the request's memory and a random source for the
/// BouncyCastle engines (blinding, PSS salts, OAEP seeds, SM2 nonces, key generation).</summary>
internal sealed class HpreEngineState(long maxRequestBytes) : IDisposable
{
    public RequestMemory Memory { get; } = new(maxRequestBytes);

    public SecureRandom Random { get; } = new();

    public void Dispose() => Memory.Dispose();
}
