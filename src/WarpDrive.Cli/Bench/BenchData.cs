using System.Text;

namespace WarpDrive.Cli.Bench;

/// <summary>Input data: text-like and compressible (words drawn with a skewed distribution from a fixed vocabulary,
/// in lines, from a fixed seed) for compression; random bytes for crypto.</summary>
internal static class BenchData
{
    private static readonly string[] s_words =
    [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not",
        "he", "this", "are", "or", "his", "from", "at", "which", "but", "have", "an", "had", "they", "you", "were",
        "queue", "device", "request", "memory", "broker", "engine", "session", "context", "region", "domain",
        "compression", "accelerator", "throughput", "latency", "completion", "submission", "doorbell", "descriptor",
        "2024-06-01T12:00:00Z", "INFO", "WARN", "status=ok", "bytes=65536", "id=", "user", "process", "thread",
    ];

    /// <summary><paramref name="length"/> bytes of text (deterministic for a seed).</summary>
    public static byte[] Text(int length, int seed = 42)
    {
        var random = new Random(seed);
        var text = new StringBuilder(length + 64);
        int line = 0;
        while (text.Length < length)
        {
            // Skewed choice: low indexes (frequent words) come up much more often, as in natural text.
            int index = (int)(Math.Pow(random.NextDouble(), 2.5) * s_words.Length);
            text.Append(s_words[index]);
            if (index == s_words.Length - 7)
            {
                text.Append(random.Next(100_000));
            }

            line += s_words[index].Length + 1;
            if (line > 72)
            {
                text.Append('\n');
                line = 0;
            }
            else
            {
                text.Append(' ');
            }
        }

        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        return bytes.AsSpan(0, length).ToArray();
    }

    /// <summary>The first <paramref name="length"/> bytes of the file at <paramref name="path"/> (<c>--input-file</c>).</summary>
    /// <exception cref="InvalidDataException">The file is shorter than <paramref name="length"/>.</exception>
    public static byte[] FromFile(string path, int length)
    {
        using FileStream file = File.OpenRead(path);
        byte[] bytes = new byte[length];
        int n = file.ReadAtLeast(bytes, length, throwOnEndOfStream: false);
        return n == length ? bytes : throw new InvalidDataException($"--input-file {path} has {n} bytes, fewer than --pktlen {length}");
    }

    /// <summary><paramref name="length"/> random bytes (deterministic for a seed).</summary>
    public static byte[] Random(int length, int seed = 42)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
