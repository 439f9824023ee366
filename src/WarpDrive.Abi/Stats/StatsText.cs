using System.Text;
using System.Text.Unicode;

namespace WarpDrive.Abi.Stats;

/// <summary>The text fields of a stats file: UTF-8, NUL-padded, cut at a whole character when too long.</summary>
public static class StatsText
{
    /// <summary>Writes <paramref name="text"/> into <paramref name="field"/> and clears the rest of it.</summary>
    public static void Write(Span<byte> field, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _ = Utf8.FromUtf16(text, field, out _, out int written);
        field[written..].Clear();
    }

    /// <summary>Reads the text of <paramref name="field"/>: up to the first NUL.</summary>
    public static string Read(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
