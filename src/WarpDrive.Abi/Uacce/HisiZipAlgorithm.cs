namespace WarpDrive.Abi.Uacce;

/// <summary>The request type of a ZIP SQE (dw9 bits 0-7; UADK's <c>enum alg_type</c>).</summary>
public enum HisiZipAlgorithm : byte
{
    /// <summary><c>HW_DEFLATE</c>: raw deflate.</summary>
    Deflate = 0x1,

    /// <summary><c>HW_ZLIB</c>: zlib (the driver writes the 2-byte header; the device the Adler-32).</summary>
    Zlib = 0x2,

    /// <summary><c>HW_GZIP</c>: gzip (the driver writes and reads the header; the device the deflate data and the CRC-32 and ISIZE trailer).</summary>
    Gzip = 0x3,
}
