namespace WarpDrive.Devices.Engines;

/// <summary>An LZ4 implementation the ZIP device runs its <c>lz4</c> algorithm (the LZ4 frame format) on: the reference
/// library (Debian liblz4-1) when installed, K4os.Compression.LZ4 otherwise.</summary>
public abstract class Lz4Engine
{
    private protected Lz4Engine()
    {
    }

    /// <summary><c>WD_DISABLE_LIBLZ4=1</c>: behave as if liblz4-1 were not installed.</summary>
    internal const string DisableVariable = "WD_DISABLE_LIBLZ4";

    private static readonly Lazy<Lz4Engine?> s_native = new(() =>
        NativeLibraryProbe.IsUsable(Interop.Lz4.Name, "LZ4F_compressUpdate", DisableVariable) ? new NativeLz4Engine() : null);

    /// <summary>Short name reported as the ZIP device's <c>frame_engines</c> attribute: <c>liblz4</c> or <c>k4os</c>.</summary>
    public abstract string Name { get; }

    internal abstract Codec CreateCompressor();

    internal abstract Codec CreateDecompressor();

    /// <summary>liblz4.so.1 through P/Invoke, or null when it cannot be loaded (or <c>WD_DISABLE_LIBLZ4=1</c>).</summary>
    public static Lz4Engine? Native => s_native.Value;

    /// <summary>The frame format written and read in C# over K4os.Compression.LZ4's block codec (always present).</summary>
    public static Lz4Engine Managed { get; } = new ManagedLz4Engine();

    /// <summary>The best engine on this machine: the native library when present.</summary>
    public static Lz4Engine Best => Native ?? Managed;

    /// <summary>The engine named <paramref name="name"/>: <c>best</c> (or null/empty), <c>liblz4</c> or <c>k4os</c>.</summary>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    /// <exception cref="InvalidOperationException">liblz4 asked for but not installed.</exception>
    public static Lz4Engine FromName(string? name) => name?.ToLowerInvariant() switch
    {
        null or "" or "best" => Best,
        "k4os" or "managed" => Managed,
        "liblz4" or "native" => Native ?? throw new InvalidOperationException("the liblz4 engine was asked for but liblz4.so.1 is not installed (apt-get install liblz4-1)"),
        _ => throw new ArgumentException($"unknown LZ4 engine '{name}' (best, liblz4 or k4os)", nameof(name)),
    };

    private sealed class NativeLz4Engine : Lz4Engine
    {
        public override string Name => "liblz4";

        internal override Codec CreateCompressor() => new Lz4Compressor();

        internal override Codec CreateDecompressor() => new Lz4Decompressor();
    }

    private sealed class ManagedLz4Engine : Lz4Engine
    {
        public override string Name => "k4os";

        internal override Codec CreateCompressor() => new ManagedLz4Compressor();

        internal override Codec CreateDecompressor() => new ManagedLz4Decompressor();
    }
}
