using System.Reflection;
using WarpDrive.Devices.Engines;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Devices;

/// <summary>Every device model and ZIP engine by the names wdd.json, <c>WD_ZIP_ENGINE</c> and the in-process host use:
/// the one list of them (issue 18). This package has the ZIP model; the others come from model packages
/// (<see cref="IDeviceModelProvider"/>): <c>WarpDrive.Devices.Crypto</c> adds SEC and HPRE when it is among the
/// application's dependencies, so that a compression-only application carries no crypto code (issue 20).</summary>
public static class DeviceCatalog
{
    /// <summary>The ZIP device model (deflate, zlib, gzip).</summary>
    public const string Zip = "zip";

    /// <summary>The model packages the catalog looks for by assembly name (loaded when present, skipped when not).</summary>
    private static readonly string[] s_modelPackages = ["WarpDrive.Devices.Crypto"];

    private static readonly Lock s_lock = new();
    private static List<IDeviceModelProvider>? s_providers;
    private static IReadOnlyList<string> s_models = [Zip];

    /// <summary>Every model, in the order the in-process host starts them: <c>zip</c>, then each provider's (with
    /// <c>WarpDrive.Devices.Crypto</c>: <c>sec</c>, <c>hpre</c>).</summary>
    public static IReadOnlyList<string> Models
    {
        get
        {
            EnsureProviders();
            return s_models;
        }
    }

    /// <summary>The names <see cref="DeflateEngine.FromName"/> takes: <c>best</c> (ISA-L when installed), <c>isal</c>,
    /// <c>zlib</c>, and <c>zlib-ng</c> (the fallback's former name, an alias of <c>zlib</c>).</summary>
    public static IReadOnlyList<string> ZipEngines { get; } = ["best", "isal", "zlib", "zlib-ng"];

    /// <summary>The zstd engine names a configuration may give (<see cref="Engines.ZstdEngine.FromName"/>).</summary>
    public static IReadOnlyList<string> ZstdEngines { get; } = ["best", "libzstd", "zstdsharp"];

    /// <summary>The LZ4 engine names a configuration may give (<see cref="Engines.Lz4Engine.FromName"/>).</summary>
    public static IReadOnlyList<string> Lz4Engines { get; } = ["best", "liblz4", "k4os"];

    /// <summary>The engine <paramref name="model"/> runs on (its <c>engine</c> attribute), in words for logs such as wdd's
    /// start-up line: the crypto libraries with their versions, or the deflate engine and, where the ZIP device is on
    /// the zlib fallback because ISA-L is not installed, <see cref="DeflateEngine.IsalMissingNote"/>.</summary>
    public static string DescribeEngine(DeviceModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.EngineDescription is { } described)
        {
            return described;
        }

        string engine = model.ExtraAttributes.FirstOrDefault(a => a.Key == "engine").Value ?? "";
        return engine switch
        {
            _ when engine == DeflateEngine.Zlib.Name && DeflateEngine.IsalMissing => $"{engine} ({DeflateEngine.IsalMissingNote})",
            "" => "-",
            _ => engine,
        };
    }

    /// <summary>Adds <paramref name="provider"/>'s models (an application that trims or loads assemblies its own way;
    /// a provider already found is not added twice).</summary>
    /// <exception cref="ArgumentException">A model name is taken already.</exception>
    public static void Register(IDeviceModelProvider provider)
    {
        ArgumentNullException.ThrowIfNull(provider);
        EnsureProviders();
        lock (s_lock)
        {
            if (s_providers!.Exists(p => p.GetType() == provider.GetType()))
            {
                return;
            }

            string? taken = provider.Models.FirstOrDefault(s_models.Contains);
            if (taken is not null)
            {
                throw new ArgumentException($"device model '{taken}' is registered already", nameof(provider));
            }

            s_providers.Add(provider);
            s_models = [.. s_models, .. provider.Models];
        }
    }

    /// <summary>A device of <paramref name="model"/> named <paramref name="name"/> (the ZIP model on
    /// <paramref name="engine"/>).</summary>
    /// <exception cref="ArgumentException">Not a model of <see cref="Models"/>.</exception>
    public static DeviceModel Create(string model, string name, DeflateEngine engine) => Create(model, name, engine, null, null);

    /// <summary>A device of <paramref name="model"/> named <paramref name="name"/> (the ZIP model on
    /// <paramref name="engine"/> and the given zstd and LZ4 engines; null: the best available).</summary>
    /// <exception cref="ArgumentException">Not a model of <see cref="Models"/>.</exception>
    public static DeviceModel Create(string model, string name, DeflateEngine engine, ZstdEngine? zstdEngine, Lz4Engine? lz4Engine)
    {
        if (model == Zip)
        {
            return new ZipDevice(name, engine, zstdEngine, lz4Engine);
        }

        EnsureProviders();
        IDeviceModelProvider? provider;
        lock (s_lock)
        {
            provider = s_providers!.Find(p => p.Models.Contains(model));
        }

        return provider?.Create(model, name)
            ?? throw new ArgumentException($"unknown device model '{model}' ({string.Join(", ", Models)}; sec and hpre come with the package WarpDrive.Devices.Crypto)", nameof(model));
    }

    private static void EnsureProviders()
    {
        lock (s_lock)
        {
            if (s_providers is not null)
            {
                return;
            }

            s_providers = [];
            foreach (string package in s_modelPackages)
            {
                if (TryLoadProvider(package) is { } provider)
                {
                    s_providers.Add(provider);
                    s_models = [.. s_models, .. provider.Models];
                }
            }
        }
    }

    /// <summary>The provider that the assembly <paramref name="assemblyName"/> names with
    /// <see cref="DeviceModelProviderAttribute"/>; null when the application does not carry that assembly.</summary>
    private static IDeviceModelProvider? TryLoadProvider(string assemblyName)
    {
        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
        {
            return null;
        }

        Type? type = assembly.GetCustomAttribute<DeviceModelProviderAttribute>()?.ProviderType;
        return type is null ? null : (IDeviceModelProvider?)Activator.CreateInstance(type);
    }
}
