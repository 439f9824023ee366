using System.Globalization;
using WarpDrive.Abi;

namespace WarpDrive.Cli.Bench;

/// <summary>Parses and prints <c>--pktlen</c> (<see cref="ByteSize"/>, at most a gigabyte).</summary>
internal static class BenchSize
{
    /// <returns>The size, or null when <paramref name="text"/> does not parse or is not positive.</returns>
    public static int? Parse(string text) => ByteSize.TryParse(text, 1, int.MaxValue / 2, out long bytes) ? (int)bytes : null;

    /// <summary>4096 → 4K, 65536 → 64K, 1048576 → 1M, others in bytes.</summary>
    public static string Format(int bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20}M" : bytes % 1024 == 0 ? $"{bytes >> 10}K" : bytes.ToString(CultureInfo.InvariantCulture);
}
