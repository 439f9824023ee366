namespace WarpDrive.Devices.Engines;

/// <summary>A deflate implementation the ZIP device runs on: ISA-L when libisal2 is installed, the runtime's zlib-ng otherwise.</summary>
public abstract class DeflateEngine
{
    /// <summary>Short name reported as the device's <c>engine</c> attribute: <c>isal</c> or <c>zlib-ng</c>.</summary>
    public abstract string Name { get; }

    internal abstract Codec CreateCompressor();

    internal abstract Codec CreateDecompressor();

    /// <summary>ISA-L's igzip, or null when libisal.so.2 cannot be loaded.</summary>
    public static DeflateEngine? Isal => IsalEngine.Instance;

    /// <summary>The runtime's zlib-ng (always present).</summary>
    public static DeflateEngine ZlibNg { get; } = new ZlibNgEngine();

    /// <summary>The best engine on this machine: ISA-L when present.</summary>
    public static DeflateEngine Best => Isal ?? ZlibNg;

    /// <summary>The engine named <paramref name="name"/>: <c>best</c> (or null/empty), <c>isal</c> or <c>zlib-ng</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="InvalidOperationException">ISA-L asked for but not installed.</exception>
    public static DeflateEngine FromName(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "best" => Best,
        "zlib-ng" => ZlibNg,
        "isal" => Isal ?? throw new InvalidOperationException("the ISA-L engine was asked for but libisal.so.2 is not installed (apt-get install libisal2)"),
        _ => throw new ArgumentException($"unknown ZIP engine '{name}' (best, isal or zlib-ng)", nameof(name)),
    };
}
