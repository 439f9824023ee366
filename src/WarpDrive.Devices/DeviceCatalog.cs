using WarpDrive.Devices.Crypto;
using WarpDrive.Devices.Engines;
using WarpDrive.Devices.Hpre;
using WarpDrive.Devices.Sec;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Devices;

/// <summary>Every device model and ZIP engine by the names wdd.json, <c>WD_ZIP_ENGINE</c> and the in-process host use:
/// the one list of them (issue 18).</summary>
public static class DeviceCatalog
{
    /// <summary>The ZIP device model (deflate, zlib, gzip).</summary>
    public const string Zip = "zip";

    /// <summary>The SEC device model (ciphers, digests, AEAD).</summary>
    public const string Sec = "sec";

    /// <summary>The HPRE device model (RSA, DH, ECC).</summary>
    public const string Hpre = "hpre";

    /// <summary>Every model, in the order the in-process host starts them.</summary>
    public static IReadOnlyList<string> Models { get; } = [Zip, Sec, Hpre];

    /// <summary>The names <see cref="DeflateEngine.FromName"/> takes: <c>best</c> (ISA-L when installed), <c>isal</c>,
    /// <c>zlib</c>, and <c>zlib-ng</c> (the fallback's former name, an alias of <c>zlib</c>).</summary>
    public static IReadOnlyList<string> ZipEngines { get; } = ["best", "isal", "zlib", "zlib-ng"];

    /// <summary>The engine <paramref name="model"/> runs on (its <c>engine</c> attribute), in words for logs such as wdd's
    /// start-up line: the crypto libraries with their versions, or the deflate engine and, where the ZIP device is on
    /// the zlib fallback because ISA-L is not installed, <see cref="DeflateEngine.IsalMissingNote"/>.</summary>
    public static string DescribeEngine(DeviceModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string engine = model.ExtraAttributes.FirstOrDefault(a => a.Key == "engine").Value ?? "";
        return engine switch
        {
            CryptoLibraries.Name => CryptoLibraries.Description,
            _ when engine == DeflateEngine.Zlib.Name && DeflateEngine.IsalMissing => $"{engine} ({DeflateEngine.IsalMissingNote})",
            "" => "-",
            _ => engine,
        };
    }

    /// <summary>A device of <paramref name="model"/> named <paramref name="name"/> (the ZIP model on
    /// <paramref name="engine"/>).</summary>
    /// <exception cref="ArgumentException">Not a model of <see cref="Models"/>.</exception>
    public static DeviceModel Create(string model, string name, DeflateEngine engine) => model switch
    {
        Zip => new ZipDevice(name, engine),
        Sec => new SecDevice(name),
        Hpre => new HpreDevice(name),
        _ => throw new ArgumentException($"unknown device model '{model}' ({string.Join(", ", Models)})", nameof(model)),
    };
}
