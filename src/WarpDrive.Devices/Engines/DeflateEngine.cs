namespace WarpDrive.Devices.Engines;

/// <summary>A deflate implementation the ZIP device runs on: ISA-L when libisal2 is installed, the system zlib otherwise.</summary>
public abstract class DeflateEngine
{
    /// <summary>Short name reported as the device's <c>engine</c> attribute: <c>isal</c> or <c>zlib</c>.</summary>
    public abstract string Name { get; }

    internal abstract Codec CreateCompressor();

    internal abstract Codec CreateDecompressor();

    /// <summary>ISA-L's igzip, or null when libisal.so.2 cannot be loaded.</summary>
    public static DeflateEngine? Isal => IsalEngine.Instance;

    /// <summary>The system zlib (libz.so.1 of Debian's zlib1g, always present).</summary>
    public static DeflateEngine Zlib { get; } = new ZlibEngine();

    /// <summary>The best engine on this machine: ISA-L when present.</summary>
    public static DeflateEngine Best => Isal ?? Zlib;

    /// <summary>Whether <see cref="Best"/> is the slower fallback because ISA-L is not installed.</summary>
    public static bool IsalMissing => Isal is null;

    /// <summary>The one-line note for operators where <see cref="IsalMissing"/>: what is slower and how to fix it.</summary>
    public const string IsalMissingNote = "ISA-L (libisal2) is not installed: compression runs on zlib, 3x slower or more; apt-get install libisal2";

    /// <summary>The engine named <paramref name="name"/>: <c>best</c> (or null/empty), <c>isal</c> or <c>zlib</c>
    /// (<c>zlib-ng</c>, the fallback's former name, is an alias of <c>zlib</c> so existing configurations keep working).</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="InvalidOperationException">ISA-L asked for but not installed.</exception>
    public static DeflateEngine FromName(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "best" => Best,
        "zlib" or "zlib-ng" => Zlib,
        "isal" => Isal ?? throw new InvalidOperationException("the ISA-L engine was asked for but libisal.so.2 is not installed (apt-get install libisal2)"),
        _ => throw new ArgumentException($"unknown ZIP engine '{name}' (best, isal or zlib)", nameof(name)),
    };
}
