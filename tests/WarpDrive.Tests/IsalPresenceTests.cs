using System.Reflection;
using System.Runtime.InteropServices;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Tests;

public class IsalPresenceTests
{
    [Fact]
    public void IsalIsLoadedWhereLibisal2IsInstalled()
    {
        // The README's commands install libisal2; where it is installed the device must use it, not fall back.
        bool installed = File.Exists("/usr/lib/x86_64-linux-gnu/libisal.so.2");
        Assert.Equal(installed, DeflateEngine.Isal is not null);
        Assert.Equal(installed ? "isal" : "zlib", DeflateEngine.Best.Name);
    }

    [Fact]
    public void TheFallbackIsTheSystemZlibAndKeepsItsFormerName()
    {
        Assert.Equal("zlib", DeflateEngine.Zlib.Name);
        Assert.Same(DeflateEngine.Zlib, DeflateEngine.FromName("zlib"));
        Assert.Same(DeflateEngine.Zlib, DeflateEngine.FromName("zlib-ng")); // wdd.json files written before the rename
        Assert.Equal(DeflateEngine.Isal is null, DeflateEngine.IsalMissing);
    }

    [Fact]
    public void NoNativeImportBindsTheRuntimesPrivateCompressionShim()
    {
        // libSystem.IO.Compression.Native's exports are the runtime's own and change with it (issue 20). Every P/Invoke
        // of the devices layer (LibraryImport generates them) names a system library instead.
        string[] libraries = [.. typeof(DeflateEngine).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
            .Select(m => m.GetCustomAttribute<DllImportAttribute>()?.Value)
            .OfType<string>()
            .Distinct()];
        Assert.Contains("libz.so.1", libraries);
        Assert.DoesNotContain(libraries, l => l.Contains("System.IO.Compression", StringComparison.Ordinal));
    }
}
