using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>The SEC device model (hisi_sec2's role): block ciphers, digests and MACs, and AEAD. Runs on the runtime's
/// System.Security.Cryptography (OpenSSL) where it has the algorithm, BouncyCastle otherwise (SM3, SM4, CMAC, OFB).</summary>
public sealed class SecDevice : DeviceModel
{
    private static readonly string[] s_algorithms = ["cipher", "digest", "aead"];

    /// <summary>Creates a SEC device named <paramref name="name"/>.</summary>
    public SecDevice(string name = "sec-0") => Name = name;

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override DeviceFlags Flags => DeviceFlags.Sva | DeviceFlags.Share;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Algorithms => s_algorithms;

    internal override void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe) =>
        cqe.Status = CompletionStatus.Unsupported; // TODO(issue 4): cipher, digest, aead
}
