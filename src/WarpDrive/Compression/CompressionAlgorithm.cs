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

    /// <summary>Zstandard frames (RFC 8878), as the <c>zstd</c> tool writes them; decompression reads concatenated frames
    /// and skips skippable frames. Levels 1-22, negative for the fast levels, 0 for zstd's default (3).</summary>
    Zstd = 3,

    /// <summary>LZ4 frames, as the <c>lz4</c> tool writes them; decompression reads concatenated and skippable frames.
    /// Levels below 3 are the fast compressor (negative: faster, an acceleration factor), 3-12 LZ4 HC.</summary>
    Lz4 = 4,
}
