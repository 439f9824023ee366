using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;

namespace WarpDrive.Devices.Crypto;

/// <summary>The engines of the SEC and HPRE models (the libraries that do the work): the runtime's OpenSSL through
/// System.Security.Cryptography where it has the algorithm, BouncyCastle for the rest (SM2/3/4, CMAC, ...).</summary>
internal static class CryptoLibraries
{
    /// <summary>The <c>engine</c> attribute of a SEC or HPRE device (short: it also fills the stats file's 32-byte field).</summary>
    public const string Name = "openssl,bouncycastle";

    /// <summary>The models' <see cref="DeviceModel.ExtraAttributes"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Attributes { get; } = [new("engine", Name)];

    /// <summary>In words, with versions, e.g. "OpenSSL 3.0.13 via System.Security.Cryptography, BouncyCastle 2.7.0".
    /// Made on first use, not with <see cref="Attributes"/>: it loads OpenSSL and BouncyCastle, which a process that
    /// only lists devices or compresses never needs.</summary>
    public static string Description => Described.Value;

    private static class Described
    {
        public static readonly string Value = $"{OpenSsl} via System.Security.Cryptography, BouncyCastle {BouncyCastle} for the rest";
    }

    /// <summary>BouncyCastle's package version (its assembly version stays 2.0.0 across releases).</summary>
    private static string BouncyCastle =>
        typeof(Org.BouncyCastle.Crypto.IDigest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            is { } version ? version.Split('+')[0] : "?";

    /// <summary>The runtime's OpenSSL and its version (OPENSSL_VERSION_NUMBER: 0xMNN00PP0 from 3.0, 0xMNNFFPPS before).</summary>
    private static string OpenSsl
    {
        get
        {
            try
            {
                long v = SafeEvpPKeyHandle.OpenSslVersion;
                long major = (v >> 28) & 0xF, minor = (v >> 20) & 0xFF, patch = major >= 3 ? (v >> 4) & 0xFF : (v >> 12) & 0xFF;
                return string.Create(CultureInfo.InvariantCulture, $"OpenSSL {major}.{minor}.{patch}");
            }
            catch (PlatformNotSupportedException)
            {
                return "OpenSSL";
            }
        }
    }
}
