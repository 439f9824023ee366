using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Tests;

/// <summary>The runtime's own deflate, zlib and gzip streams: the reference the devices' output is checked against.</summary>
internal static class RuntimeCodecs
{
    /// <summary><paramref name="data"/> decoded by the runtime (System.IO.Compression: zlib-ng).</summary>
    public static byte[] Decompress(CompressionAlgorithm algorithm, ReadOnlySpan<byte> data)
    {
        var input = new MemoryStream(data.ToArray());
        using Stream z = algorithm switch
        {
            CompressionAlgorithm.Gzip => new GZipStream(input, CompressionMode.Decompress),
            CompressionAlgorithm.Zlib => new ZLibStream(input, CompressionMode.Decompress),
            _ => new DeflateStream(input, CompressionMode.Decompress),
        };
        var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }

    /// <summary><paramref name="data"/> encoded by the runtime at its optimal level.</summary>
    public static byte[] Compress(CompressionAlgorithm algorithm, byte[] data)
    {
        var output = new MemoryStream();
        using (Stream z = algorithm switch
        {
            CompressionAlgorithm.Gzip => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            CompressionAlgorithm.Zlib => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            z.Write(data);
        }

        return output.ToArray();
    }
}
