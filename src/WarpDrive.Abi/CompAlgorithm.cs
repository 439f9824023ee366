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
}
