namespace WarpDrive.Abi.Uacce;

/// <summary>ZIP SQE statuses the device writes into dw3 bits 0-7 (UADK's <c>HZ_*</c> and <c>ERR_DSTLEN_OUT</c> in
/// <c>drv/hisi_comp.c</c>). Zero is success.</summary>
public enum HisiZipStatus : byte
{
    /// <summary>Done.</summary>
    Ok = 0x00,

    /// <summary><c>HZ_DECOMP_NO_SPACE</c>: decompression stopped for lack of output room.</summary>
    DecompressNoSpace = 0x01,

    /// <summary><c>HZ_DECOMPING_NO_SPACE</c>: decompression in progress ran out of output room (stream mode).</summary>
    DecompressingNoSpace = 0x02,

    /// <summary><c>HZ_DECOMP_BLK_NOSTART</c>: the input ended before a block started (stream mode: feed more).</summary>
    DecompressBlockNotStarted = 0x03,

    /// <summary><c>HZ_NEGACOMPRESS</c>: the output would be larger than the input (negative compression).</summary>
    NegativeCompression = 0x0d,

    /// <summary><c>ERR_DSTLEN_OUT</c>: the destination is too small.</summary>
    OutputTooSmall = 0x0e,

    /// <summary><c>HZ_CRC_ERR</c>: the checksum did not match.</summary>
    CrcError = 0x10,

    /// <summary><c>HZ_DECOMP_END</c>: decompression reached the end of the stream.</summary>
    DecompressEnd = 0x13,
}
