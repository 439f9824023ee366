using System.Runtime.InteropServices;

namespace WarpDrive.Devices.Engines;

/// <summary>ISA-L igzip through P/Invoke (Debian libisal2).</summary>
internal sealed class IsalEngine : DeflateEngine
{
    /// <summary><c>WD_DISABLE_ISAL=1</c>: behave as if libisal2 were not installed (to check the fallback and what
    /// wd and wdd say about it on a machine that has ISA-L).</summary>
    internal const string DisableVariable = "WD_DISABLE_ISAL";

    private static readonly Lazy<IsalEngine?> s_instance = new(() =>
        Environment.GetEnvironmentVariable(DisableVariable) is not ("1" or "true" or "yes")
        && NativeLibrary.TryLoad(Interop.Isal.Name, out nint handle) && NativeLibrary.TryGetExport(handle, "isal_deflate", out _)
            ? new IsalEngine()
            : null);

    private IsalEngine()
    {
    }

    public static IsalEngine? Instance => s_instance.Value;

    public override string Name => "isal";

    internal override Codec CreateCompressor() => new IsalCompressor();

    internal override Codec CreateDecompressor() => new IsalDecompressor();

    /// <summary>zlib levels 1-9 onto ISA-L's 1-3 (level 0 is routed to zlib's stored blocks by the device).</summary>
    internal static int MapLevel(int level) => level switch
    {
        <= 3 => 1,
        <= 6 => 2,
        _ => 3,
    };
}
