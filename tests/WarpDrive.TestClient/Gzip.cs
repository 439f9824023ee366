using System.IO.Compression;

namespace WarpDrive.TestClient;

/// <summary>The runtime's gzip decoder, the reference the clients check the device's output against.</summary>
internal static class Gzip
{
    /// <summary>The bytes <paramref name="gzip"/> decompresses to; empty when it is not valid gzip.</summary>
    public static byte[] Decompress(ReadOnlySpan<byte> gzip)
    {
        try
        {
            using var z = new GZipStream(new MemoryStream(gzip.ToArray()), CompressionMode.Decompress);
            var back = new MemoryStream();
            z.CopyTo(back);
            return back.ToArray();
        }
        catch (InvalidDataException)
        {
            return [];
        }
    }
}
