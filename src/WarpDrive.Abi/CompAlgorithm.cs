namespace WarpDrive.Abi;

/// <summary>Container format of a ZIP request. One byte at SQE offset 9.</summary>
public enum CompAlgorithm : byte
{
    /// <summary>Raw deflate (RFC 1951), no header or trailer.</summary>
    Deflate = 0,

    /// <summary>zlib (RFC 1950): 2-byte header, deflate, Adler-32 trailer.</summary>
    Zlib = 1,

    /// <summary>gzip (RFC 1952): header, deflate, CRC-32 and size trailer. Decompression reads concatenated members.</summary>
    Gzip = 2,

    /// <summary>Zstandard frames (RFC 8878). The SQE's level byte is signed: 1-22, negative for the fast levels, 0 for
    /// the default (3). Decompression reads concatenated frames and skips skippable frames.</summary>
    Zstd = 3,

    /// <summary>LZ4 frames (the LZ4 frame format, magic 0x184D2204). The SQE's level byte is signed: 0-2 the fast
    /// compressor, 3-12 LZ4 HC, negative an acceleration factor. Decompression reads concatenated and skippable frames.</summary>
    Lz4 = 4,
}
