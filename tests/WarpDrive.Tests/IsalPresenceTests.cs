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
        Assert.Equal(installed ? "isal" : "zlib-ng", DeflateEngine.Best.Name);
    }
}
