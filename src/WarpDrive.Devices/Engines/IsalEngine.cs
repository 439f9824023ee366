using System.Runtime.InteropServices;

namespace WarpDrive.Devices.Engines;

/// <summary>ISA-L igzip through P/Invoke (Debian libisal2).</summary>
internal sealed class IsalEngine : DeflateEngine
{
    private static readonly Lazy<IsalEngine?> s_instance = new(() =>
        NativeLibrary.TryLoad(Interop.Isal.Name, out nint handle) && NativeLibrary.TryGetExport(handle, "isal_deflate", out _)
            ? new IsalEngine()
            : null);

    private IsalEngine()
    {
    }

    public static IsalEngine? Instance => s_instance.Value;

    public override string Name => "isal";

    internal override Codec CreateCompressor() => new IsalCompressor();

    internal override Codec CreateDecompressor() => new IsalDecompressor();

    /// <summary>zlib levels 1-9 onto ISA-L's 1-3 (level 0 is routed to zlib-ng's stored blocks by the device).</summary>
    internal static int MapLevel(int level) => level switch
    {
        <= 3 => 1,
        <= 6 => 2,
        _ => 3,
    };
}
