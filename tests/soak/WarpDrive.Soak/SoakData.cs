using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Soak;

/// <summary>Test data and the reference (System.IO.Compression) decoders the clients check the device against.</summary>
internal static class SoakData
{
    /// <summary><paramref name="length"/> bytes: mostly compressible (values 0..15), one time in eight incompressible.</summary>
    public static byte[] Make(Random random, int length)
    {
        byte[] data = new byte[length];
        random.NextBytes(data);
        if (random.Next(8) != 0)
        {
            for (int i = 0; i < data.Length; i++)
            {
                data[i] &= 0x0F;
            }
        }

        return data;
    }

    /// <summary>A length between 1 byte and <paramref name="max"/>, small lengths as likely as large ones.</summary>
    public static int Length(Random random, int max) => random.Next(4) switch
    {
        0 => random.Next(1, 512),
        1 => random.Next(512, 16 << 10),
        _ => random.Next(1, max + 1),
    };

    /// <summary>Decompresses gzip or raw deflate with System.IO.Compression.</summary>
    public static byte[] Inflate(CompressionAlgorithm algorithm, ReadOnlySpan<byte> compressed)
    {
        using var input = new MemoryStream(compressed.ToArray());
        using Stream decoder = algorithm == CompressionAlgorithm.Gzip
            ? new GZipStream(input, CompressionMode.Decompress)
            : new DeflateStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Gzip or deflate, at random.</summary>
    public static CompressionAlgorithm Algorithm(Random random) =>
        random.Next(2) == 0 ? CompressionAlgorithm.Gzip : CompressionAlgorithm.Deflate;
}
