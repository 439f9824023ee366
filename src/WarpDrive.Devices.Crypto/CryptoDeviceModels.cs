using WarpDrive.Devices;
using WarpDrive.Devices.Crypto;
using WarpDrive.Devices.Hpre;
using WarpDrive.Devices.Sec;

[assembly: DeviceModelProvider(typeof(CryptoDeviceModels))]

namespace WarpDrive.Devices.Crypto;

/// <summary>The SEC and HPRE device models for <see cref="DeviceCatalog"/>, which finds this provider by the assembly's
/// <see cref="DeviceModelProviderAttribute"/> whenever this package is among the application's dependencies.</summary>
public sealed class CryptoDeviceModels : IDeviceModelProvider
{
    /// <summary>The SEC device model (ciphers, digests, AEAD).</summary>
    public const string Sec = "sec";

    /// <summary>The HPRE device model (RSA, DH, ECC).</summary>
    public const string Hpre = "hpre";

    /// <inheritdoc/>
    public IReadOnlyList<string> Models { get; } = [Sec, Hpre];

    /// <inheritdoc/>
    public DeviceModel Create(string model, string name) => model switch
    {
        Sec => new SecDevice(name),
        Hpre => new HpreDevice(name),
        _ => throw new ArgumentException($"unknown device model '{model}' ({Sec}, {Hpre})", nameof(model)),
    };
}
