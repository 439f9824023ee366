using WarpDrive.Discovery;

namespace WarpDrive.Tests.Uacce;

/// <summary>Whether this machine has a kernel SEC device (hisi_sec2 with uacce) that this user can open: the hardware
/// tier's tests skip, with the reason, where it has none.</summary>
internal static class KernelSecDevices
{
    public static readonly string? SkipReason = Find();

    private static string? Find()
    {
        using var devices = new KernelDevices(new UacceOptions(), onlyAccessible: true);
        return devices.GetDevices().Any(KernelDevices.IsSec)
            ? null
            : "no kernel SEC device (hisi_sec2 loaded with uacce_mode=1, node readable and writable by this user)";
    }
}

/// <summary>A fact of the hardware tier: skipped without a kernel SEC device.</summary>
public sealed class KernelSecFactAttribute : FactAttribute
{
    public KernelSecFactAttribute() => Skip = KernelSecDevices.SkipReason;
}

/// <summary>A theory of the hardware tier: skipped without a kernel SEC device.</summary>
public sealed class KernelSecTheoryAttribute : TheoryAttribute
{
    public KernelSecTheoryAttribute() => Skip = KernelSecDevices.SkipReason;
}
