namespace WarpDrive.Kubernetes;

/// <summary>The kinds of device the plugin offers, one resource each (<c>warpdrive.io/zip</c>, <c>/sec</c>,
/// <c>/hpre</c>), and the kind of a device by its name: the part before the last <c>-</c>, without a leading
/// <c>hisi_</c> and trailing digits, so wdd's <c>zip-0</c> and the kernel's <c>hisi_zip-0</c>, <c>hisi_sec2-1</c>
/// and <c>hisi_hpre-2</c> are all found. A device of no known kind is not offered.</summary>
public static class DeviceKinds
{
    /// <summary>The kinds, in the order their resources are registered.</summary>
    public static IReadOnlyList<string> All { get; } = ["zip", "sec", "hpre"];

    /// <summary>The kind of device <paramref name="deviceName"/>, or null when it is none of <see cref="All"/>.</summary>
    public static string? Of(string deviceName)
    {
        int dash = deviceName.LastIndexOf('-');
        string stem = dash > 0 ? deviceName[..dash] : deviceName;
        if (stem.StartsWith("hisi_", StringComparison.Ordinal))
        {
            stem = stem["hisi_".Length..];
        }

        stem = stem.TrimEnd("0123456789".ToCharArray());
        return All.Contains(stem, StringComparer.Ordinal) ? stem : null;
    }
}
