using WarpDrive.Discovery;

namespace WarpDrive.Tests.Uacce;

/// <summary>Whether this machine has a kernel HPRE device (hisi_hpre with uacce) that this user can open: the hardware
/// tier runs only there.</summary>
internal static class KernelHpreDevices
{
    public static readonly string? SkipReason = Find();

    private static string? Find()
    {
        using var devices = new KernelDevices(new UacceOptions(), onlyAccessible: true);
        return devices.GetDevices().Any(KernelDevices.IsHpre)
            ? null
            : "no kernel HPRE device (hisi_hpre loaded with uacce_mode=1, node readable and writable by this user)";
    }

    /// <summary>Whether the machine's HPRE device has ECC (Kunpeng 930; Kunpeng 920's lists rsa and dh alone).</summary>
    public static bool HasEcc()
    {
        using var devices = new KernelDevices(new UacceOptions(), onlyAccessible: true);
        return devices.GetDevices().Any(d => KernelDevices.IsHpre(d) && KernelDevices.HasEcc(d));
    }
}

/// <summary>A fact of the hardware tier: skipped without a kernel HPRE device.</summary>
public sealed class KernelHpreFactAttribute : FactAttribute
{
    public KernelHpreFactAttribute() => Skip = KernelHpreDevices.SkipReason;
}
