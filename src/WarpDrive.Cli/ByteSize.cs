using System.Globalization;

namespace WarpDrive.Cli;

/// <summary>Parses a size given on the command line: bytes with an optional suffix K, M or G (powers of 1024; KiB,
/// MiB, GiB and B too), as <c>wd bench --pktlen</c> and <c>wd decompress --max-output</c> take them.</summary>
internal static class ByteSize
{
    /// <returns>The size, or null when <paramref name="text"/> does not parse, is not positive or passes
    /// <paramref name="max"/>.</returns>
    public static long? Parse(string text, long max = long.MaxValue)
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

        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > max / multiplier)
        {
            return null;
        }

        return value * multiplier;
    }
}
