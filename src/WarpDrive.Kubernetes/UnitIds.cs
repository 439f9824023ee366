using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace WarpDrive.Kubernetes;

/// <summary>The IDs of schedulable units, as the kubelet sees them: <c>&lt;device&gt;.q&lt;queue&gt;</c>
/// (<c>zip-0.q3</c>), or with several shares per queue <c>&lt;device&gt;.q&lt;queue&gt;.s&lt;share&gt;</c>
/// (<c>zip-0.q3.s1</c>). At most 63 characters (the API's limit).</summary>
public static class UnitIds
{
    /// <summary>The ID of share <paramref name="share"/> of queue <paramref name="queue"/> of <paramref name="device"/>.</summary>
    public static string Format(string device, int queue, int share, int sharesPerQueue) => sharesPerQueue == 1
        ? string.Create(CultureInfo.InvariantCulture, $"{device}.q{queue}")
        : string.Create(CultureInfo.InvariantCulture, $"{device}.q{queue}.s{share}");

    /// <summary>The device of unit <paramref name="id"/>; false when it is not a unit ID.</summary>
    public static bool TryGetDevice(string id, [NotNullWhen(true)] out string? device)
    {
        int q = id.LastIndexOf(".q", StringComparison.Ordinal);
        device = q > 0 ? id[..q] : null;
        return device is not null;
    }
}
