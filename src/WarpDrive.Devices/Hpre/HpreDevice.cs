using WarpDrive.Abi;

namespace WarpDrive.Devices.Hpre;

/// <summary>The HPRE device model (hisi_hpre's role): RSA, finite-field DH, ECDSA/ECDH on the NIST curves, X25519,
/// Ed25519 and SM2. Runs on the runtime's System.Security.Cryptography (OpenSSL) where it has the algorithm,
/// BouncyCastle otherwise.</summary>
public sealed class HpreDevice : DeviceModel
{
    private static readonly string[] s_algorithms = ["rsa", "dh", "ecdsa", "ecdh", "x25519", "ed25519", "sm2"];

    /// <summary>Creates an HPRE device named <paramref name="name"/>.</summary>
    public HpreDevice(string name = "hpre-0") => Name = name;

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override DeviceFlags Flags => DeviceFlags.Sva | DeviceFlags.Share;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Algorithms => s_algorithms;

    internal override void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe) =>
        cqe.Status = CompletionStatus.Unsupported; // TODO(issue 4): rsa, dh, ecc
}
