namespace WarpDrive.Compression;

/// <summary>Container format.</summary>
public enum CompressionAlgorithm
{
    /// <summary>Raw deflate (RFC 1951).</summary>
    Deflate = 0,

    /// <summary>zlib (RFC 1950).</summary>
    Zlib = 1,

    /// <summary>gzip (RFC 1952); decompression reads concatenated members.</summary>
    Gzip = 2,
}
