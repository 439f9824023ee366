using System.Globalization;

namespace WarpDrive.Broker.Configuration;

/// <summary>Sizes written as a byte count with an optional binary suffix: <c>4096</c>, <c>64KiB</c>, <c>256MiB</c>,
/// <c>1GiB</c>, <c>2TiB</c>. <c>K</c>, <c>M</c>, <c>G</c>, <c>T</c> (and <c>B</c>) are accepted too and mean the same
/// powers of 1024; <c>KB</c>, <c>MB</c>, ... are refused because they are ambiguous.</summary>
internal static class ByteSize
{
    private static readonly (string Suffix, int Shift)[] s_suffixes =
    [
        ("", 0), ("b", 0),
        ("k", 10), ("kib", 10),
        ("m", 20), ("mib", 20),
        ("g", 30), ("gib", 30),
        ("t", 40), ("tib", 40),
    ];

    /// <summary>Parses <paramref name="text"/>; returns false when it is not a size or does not fit in a long.</summary>
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        ReadOnlySpan<char> s = text.AsSpan().Trim();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        if (digits == 0
            || !long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
        {
            return false;
        }

        ReadOnlySpan<char> suffix = s[digits..].TrimStart();
        foreach ((string name, int shift) in s_suffixes)
        {
            if (suffix.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                if (count > long.MaxValue >> shift)
                {
                    return false;
                }

                bytes = count << shift;
                return true;
            }
        }

        return false;
    }
}
