using WarpDrive.Devices.Engines;

namespace WarpDrive.Cli;

/// <summary>What wd says where ZIP devices run on the zlib fallback because ISA-L (libisal2) is not installed:
/// <see cref="DeflateEngine.IsalMissingNote"/>, under <c>wd list</c>'s table and once per process before the first
/// compression.</summary>
internal static class EngineNote
{
    private static int s_said;

    /// <summary>The note where ISA-L is missing and one of <paramref name="devices"/> is a ZIP device on the fallback;
    /// null otherwise (ISA-L installed, or zlib chosen on purpose where it is).</summary>
    public static string? For(IEnumerable<WdDeviceInfo> devices) =>
        DeflateEngine.IsalMissing && devices.Any(d => d.Attributes.GetValueOrDefault("engine") == DeflateEngine.Zlib.Name)
            ? DeflateEngine.IsalMissingNote
            : null;

    /// <summary>Writes the note to stderr the first time a compression of this process asks, unless
    /// <paramref name="quiet"/>.</summary>
    public static void BeforeFirstCompression(WdRuntime runtime, bool quiet)
    {
        if (!quiet && DeflateEngine.IsalMissing && Interlocked.Exchange(ref s_said, 1) == 0 && For(runtime.Devices) is { } note)
        {
            Console.Error.WriteLine($"wd: note: {note}");
        }
    }
}
