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
}
