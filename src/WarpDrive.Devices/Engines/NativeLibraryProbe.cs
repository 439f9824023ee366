using System.Runtime.InteropServices;

namespace WarpDrive.Devices.Engines;

/// <summary>Whether an optional native engine library is usable: loadable, exporting <c>symbol</c>, and not turned off by
/// its <c>WD_DISABLE_*</c> variable (which lets wd and wdd be checked on their fallback on a machine that has the library).</summary>
internal static class NativeLibraryProbe
{
    public static bool IsUsable(string library, string symbol, string disableVariable) =>
        Environment.GetEnvironmentVariable(disableVariable) is not ("1" or "true" or "yes")
        && NativeLibrary.TryLoad(library, out nint handle) && NativeLibrary.TryGetExport(handle, symbol, out _);
}
