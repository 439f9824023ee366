using System.Text;

namespace WarpDrive.Tests;

/// <summary>Deterministic inputs: compressible text and incompressible bytes.</summary>
internal static class TestData
{
    private static readonly string[] s_words =
        ["accelerator", "queue", "device", "region", "domain", "deflate", "gzip", "engine", "shared", "memory",
         "the", "a", "of", "and", "to", "in", "is", "ring", "doorbell", "completion", "submission", "broker"];

    public static byte[] Text(int length, int seed = 1)
    {
        var random = new Random(seed);
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

    public static byte[] Random(int length, int seed = 2)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
