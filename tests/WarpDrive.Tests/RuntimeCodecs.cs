using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Tests;

/// <summary>The runtime's own deflate, zlib and gzip streams, ZstdSharp's zstd streams and K4os's LZ4 frame streams:
/// the references the devices' output is checked against.</summary>
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
            CompressionAlgorithm.Zstd => new ZstdSharp.DecompressionStream(input),
            CompressionAlgorithm.Lz4 => K4os.Compression.LZ4.Streams.LZ4Stream.Decode(input, interactive: false),
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
            CompressionAlgorithm.Zstd => new ZstdSharp.CompressionStream(output, 3, leaveOpen: true),
            CompressionAlgorithm.Lz4 => K4os.Compression.LZ4.Streams.LZ4Stream.Encode(output, K4os.Compression.LZ4.LZ4Level.L00_FAST, leaveOpen: true),
            _ => new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            z.Write(data);
        }

        return output.ToArray();
    }
}
