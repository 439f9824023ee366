using System.Globalization;

namespace WarpDrive.Cli.Bench;

/// <summary>Parses <c>--pktlen</c>: bytes with an optional suffix K, M or G (powers of 1024; KiB, MiB, GiB too).</summary>
internal static class BenchSize
{
    /// <returns>The size, or null when <paramref name="text"/> does not parse or is not positive.</returns>
    public static int? Parse(string text)
    {
        string t = text.Trim();
        long multiplier = 1;
        string[] suffixes = ["KiB", "MiB", "GiB", "K", "M", "G", "B"];
        foreach (string suffix in suffixes)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                multiplier = char.ToUpperInvariant(suffix[0]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
                t = t[..^suffix.Length];
                break;
            }
        }

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value * multiplier > int.MaxValue / 2)
        {
            return null;
        }

        return (int)(value * multiplier);
    }

    /// <summary>4096 → 4K, 65536 → 64K, 1048576 → 1M, others in bytes.</summary>
    public static string Format(int bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20}M" : bytes % 1024 == 0 ? $"{bytes >> 10}K" : bytes.ToString(CultureInfo.InvariantCulture);
}
