using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace WarpDrive.Abi.Broker;

/// <summary>The text of an allocation file, <c>&lt;run&gt;/alloc/&lt;token&gt;</c>: one line per device, the device's
/// name and the most queues of it the allocation's clients may hold together, separated by one space
/// (<c>zip-0 2\n</c>). A device plugin writes it (write and rename), the broker reads it when a client claims the
/// allocation and checks that it still exists before each queue it starts for it. A device that has no line is one
/// the allocation may hold no queue of.</summary>
public static class AllocationFile
{
    /// <summary>Most bytes of a file the broker reads.</summary>
    public const int MaxBytes = 4096;

    /// <summary>The file's text for <paramref name="queues"/> (device name to queue limit), in name order.</summary>
    /// <exception cref="ArgumentException">A name is empty or holds white space, or a limit is negative.</exception>
    public static string Format(IEnumerable<KeyValuePair<string, int>> queues)
    {
        var text = new StringBuilder();
        foreach ((string device, int limit) in queues.OrderBy(q => q.Key, StringComparer.Ordinal))
        {
            if (device.Length == 0 || device.Any(char.IsWhiteSpace) || limit < 0)
            {
                throw new ArgumentException($"not a device and queue limit: '{device}' {limit}", nameof(queues));
            }

            text.Append(device).Append(' ').Append(limit.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Reads a file's text; false with the reason when a line is not <c>NAME LIMIT</c>, a name repeats, or
    /// the text is longer than <see cref="MaxBytes"/>.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IReadOnlyDictionary<string, int>? queues, [NotNullWhen(false)] out string? error)
    {
        queues = null;
        if (text.Length > MaxBytes)
        {
            error = $"longer than {MaxBytes} bytes";
            return false;
        }

        var limits = new Dictionary<string, int>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in text.Split('\n'))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            string[] fields = line.Split(' ');
            if (fields is not [{ Length: > 0 } device, string count]
                || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out int limit)
                || !limits.TryAdd(device, limit))
            {
                error = $"line {number} is not 'DEVICE QUEUES' (or names its device twice)";
                return false;
            }
        }

        queues = limits;
        error = null;
        return true;
    }
}
