using System.Text;

namespace WarpDrive.Benchmarks;

/// <summary>Compressible text (words with numbers), the same for every benchmark.</summary>
internal static class BenchData
{
    private static readonly string[] s_words =
        ["accelerator", "queue", "device", "region", "domain", "deflate", "gzip", "engine", "shared", "memory",
         "the", "a", "of", "and", "to", "in", "is", "ring", "doorbell", "completion", "submission", "broker"];

    public static byte[] Text(int length)
    {
        var random = new Random(42);
        var sb = new StringBuilder(length + 32);
        while (sb.Length < length)
        {
            sb.Append(s_words[random.Next(s_words.Length)]).Append(random.Next(8) == 0 ? '\n' : ' ');
            if (random.Next(16) == 0)
            {
                sb.Append(random.Next(100000));
            }
        }

        return Encoding.ASCII.GetBytes(sb.ToString(0, length));
    }
}
