namespace WarpDrive.Devices.Engines;

/// <summary>A zstd implementation the ZIP device runs its <c>zstd</c> algorithm on: the reference library (Debian
/// libzstd1) when installed, the managed port ZstdSharp otherwise. Both write and read the same frames.</summary>
public abstract class ZstdEngine
{
    private protected ZstdEngine()
    {
    }

    /// <summary>Short name reported as the ZIP device's <c>frame_engines</c> attribute: <c>libzstd</c> or <c>zstdsharp</c>.</summary>
    public abstract string Name { get; }

    internal abstract Codec CreateCompressor();

    internal abstract Codec CreateDecompressor();

    /// <summary><c>WD_DISABLE_LIBZSTD=1</c>: behave as if libzstd1 were not installed.</summary>
    internal const string DisableVariable = "WD_DISABLE_LIBZSTD";

    private static readonly Lazy<ZstdEngine?> s_native = new(() =>
        NativeLibraryProbe.IsUsable(Interop.Zstd.Name, "ZSTD_compressStream2", DisableVariable) ? new ZstdEngine<LibZstd>("libzstd") : null);

    /// <summary>libzstd.so.1 through P/Invoke, or null when it cannot be loaded (or <c>WD_DISABLE_LIBZSTD=1</c>).</summary>
    public static ZstdEngine? Native => s_native.Value;

    /// <summary>ZstdSharp, the managed port of the reference library (always present).</summary>
    public static ZstdEngine Managed { get; } = new ZstdEngine<ZstdSharpLibrary>("zstdsharp");

    /// <summary>The best engine on this machine: the native library when present.</summary>
    public static ZstdEngine Best => Native ?? Managed;

    /// <summary>The engine named <paramref name="name"/>: <c>best</c> (or null/empty), <c>libzstd</c> or <c>zstdsharp</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="InvalidOperationException">libzstd asked for but not installed.</exception>
    public static ZstdEngine FromName(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "best" => Best,
        "zstdsharp" or "managed" => Managed,
        "libzstd" or "native" => Native ?? throw new InvalidOperationException("the libzstd engine was asked for but libzstd.so.1 is not installed (apt-get install libzstd1)"),
        _ => throw new ArgumentException($"unknown zstd engine '{name}' (best, libzstd or zstdsharp)", nameof(name)),
    };
}

/// <summary>A zstd engine on one implementation of the streaming API.</summary>
internal sealed class ZstdEngine<TLibrary>(string name) : ZstdEngine
    where TLibrary : IZstdLibrary
{
    public override string Name { get; } = name;

    internal override Codec CreateCompressor() => new ZstdCompressor<TLibrary>();

    internal override Codec CreateDecompressor() => new ZstdDecompressor<TLibrary>();
}
