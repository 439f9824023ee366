namespace WarpDrive.Abi.Uacce;

/// <summary>ZIP SQE statuses the device writes into dw3 bits 0-7 (UADK's <c>HZ_*</c> and <c>ERR_DSTLEN_OUT</c> in
/// <c>drv/hisi_comp.c</c>). Zero is success; so are <see cref="NegativeCompression"/> and
/// <see cref="DecompressEnd"/>, which UADK reads as results, not failures.</summary>
public enum HisiZipStatus : byte
{
    /// <summary>Done.</summary>
    Ok = 0x00,

    /// <summary>Not a hardware code: the device model's answer to an SQE it cannot run (unknown request or buffer type,
    /// a missing address). The hardware's own codes for these are not public.</summary>
    ModelBadRequest = 0x0a,

    /// <summary>Not a hardware code: the device model's answer to input that is not valid deflate, zlib or gzip data.
    /// The driver, like UADK, reads every status it does not know as a failed request.</summary>
    ModelInvalidInput = 0x0b,

    /// <summary>Not a hardware code: the device model's answer to input that ends before the compressed data does,
    /// in a request that said it was the last (flush type finish).</summary>
    ModelTruncatedInput = 0x0c,

    /// <summary><c>HZ_NEGACOMPRESS</c>: the output is larger than the input (negative compression); the output is
    /// valid.</summary>
    NegativeCompression = 0x0d,

    /// <summary><c>ERR_DSTLEN_OUT</c>: the destination is too small.</summary>
    OutputTooSmall = 0x0e,

    /// <summary><c>HZ_CRC_ERR</c>: the checksum did not match.</summary>
    CrcError = 0x10,

    /// <summary><c>HZ_DECOMP_END</c>: decompression reached the end of the stream (with <see cref="HisiZipSqe.LastBlockBit"/>).</summary>
    DecompressEnd = 0x13,
}
