using System.Globalization;

namespace WarpDrive.Abi;

/// <summary>The one grammar for sizes, wherever a person writes one (wdd.json, <c>WD_*</c> variables, <c>wd</c>'s
/// options): a byte count with an optional binary suffix, <c>4096</c>, <c>64K</c>, <c>64KiB</c>, <c>256M</c>,
/// <c>1GiB</c>, <c>2T</c>. <c>K</c>/<c>KiB</c>, <c>M</c>/<c>MiB</c>, <c>G</c>/<c>GiB</c>, <c>T</c>/<c>TiB</c> (and
/// <c>B</c>) are powers of 1024, in any case, with or without a space before them; <c>KB</c>, <c>MB</c>, ... are
/// refused because they are ambiguous.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, int Shift)[] s_suffixes =
    [
        ("", 0), ("b", 0),
        ("k", 10), ("kib", 10),
        ("m", 20), ("mib", 20),
        ("g", 30), ("gib", 30),
        ("t", 40), ("tib", 40),
    ];

    /// <summary>Parses <paramref name="text"/>; false when it is not a size or does not fit in a long.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long bytes)
    {
        bytes = 0;
        ReadOnlySpan<char> s = text.Trim();
        int digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(s[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out long count))
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

    /// <summary>As <see cref="TryParse(ReadOnlySpan{char}, out long)"/>, and false unless the size is from
    /// <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, long min, long max, out long bytes) =>
        TryParse(text, out bytes) && bytes >= min && bytes <= max;
}
