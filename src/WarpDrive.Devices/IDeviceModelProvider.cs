using System.Diagnostics.CodeAnalysis;

namespace WarpDrive.Devices;

/// <summary>A set of device models that a package adds to <see cref="DeviceCatalog"/> beside the ZIP model of this one
/// (the SEC and HPRE models of <c>WarpDrive.Devices.Crypto</c>). The package names its provider with
/// <see cref="DeviceModelProviderAttribute"/>; the catalog finds it when the package's assembly is among the
/// application's dependencies, or an application registers it with <see cref="DeviceCatalog.Register"/>.</summary>
public interface IDeviceModelProvider
{
    /// <summary>The model names this provider creates (<c>sec</c>, <c>hpre</c>), in the order a host starts them.</summary>
    IReadOnlyList<string> Models { get; }

    /// <summary>A device of <paramref name="model"/>, one of <see cref="Models"/>, named <paramref name="name"/>.</summary>
    DeviceModel Create(string model, string name);
}

/// <summary>Names an assembly's <see cref="IDeviceModelProvider"/> (a public class with a public parameterless
/// constructor), so that <see cref="DeviceCatalog"/> finds it without the application calling into the assembly.</summary>
/// <param name="providerType">The provider class.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class DeviceModelProviderAttribute(
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] Type providerType) : Attribute
{
    /// <summary>The provider class.</summary>
    [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)]
    public Type ProviderType { get; } = providerType;
}
