using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Fuzz;

/// <summary>The oracle: the runtime's System.IO.Compression (zlib) on the same input.</summary>
internal static class ReferenceDecoder
{
    public static Outcome Run(CompressionAlgorithm algorithm, byte[] data, int cap)
    {
        using var source = new MemoryStream(data, writable: false);
        using Stream z = algorithm switch
        {
            CompressionAlgorithm.Deflate => new DeflateStream(source, CompressionMode.Decompress),
            CompressionAlgorithm.Zlib => new ZLibStream(source, CompressionMode.Decompress),
            _ => new GZipStream(source, CompressionMode.Decompress),
        };
        byte[] output = new byte[cap + 1];
        int total = 0;
        try
        {
            int n;
            while (total <= cap && (n = z.Read(output, total, output.Length - total)) > 0)
            {
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            return Outcome.Failure(e.Message);
        }
        catch (IOException e)
        {
            return Outcome.Failure(e.Message); // a preset dictionary: ZLibException
        }

        return total > cap ? Outcome.TooLarge() : Outcome.Success(output.AsSpan(0, total));
    }
}
