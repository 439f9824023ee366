namespace WarpDrive.Abi.Uacce;

/// <summary>The authentication algorithm of a SEC BD (<see cref="HisiSecSqe.MacKeyAlg"/> bits 11-16; UADK's
/// <c>enum A_ALG</c>).</summary>
public enum HisiSecAuthAlgorithm : byte
{
    /// <summary>SHA-1 (<c>A_ALG_SHA1</c>).</summary>
    Sha1 = 0x0,

    /// <summary>SHA-256 (<c>A_ALG_SHA256</c>).</summary>
    Sha256 = 0x1,

    /// <summary>MD5 (<c>A_ALG_MD5</c>).</summary>
    Md5 = 0x2,

    /// <summary>SHA-224 (<c>A_ALG_SHA224</c>).</summary>
    Sha224 = 0x3,

    /// <summary>SHA-384 (<c>A_ALG_SHA384</c>).</summary>
    Sha384 = 0x4,

    /// <summary>SHA-512 (<c>A_ALG_SHA512</c>).</summary>
    Sha512 = 0x5,

    /// <summary>HMAC-SHA-1 (<c>A_ALG_HMAC_SHA1</c>).</summary>
    HmacSha1 = 0x10,

    /// <summary>HMAC-SHA-256 (<c>A_ALG_HMAC_SHA256</c>).</summary>
    HmacSha256 = 0x11,

    /// <summary>HMAC-MD5 (<c>A_ALG_HMAC_MD5</c>).</summary>
    HmacMd5 = 0x12,

    /// <summary>HMAC-SHA-224 (<c>A_ALG_HMAC_SHA224</c>).</summary>
    HmacSha224 = 0x13,

    /// <summary>HMAC-SHA-384 (<c>A_ALG_HMAC_SHA384</c>).</summary>
    HmacSha384 = 0x14,

    /// <summary>HMAC-SHA-512 (<c>A_ALG_HMAC_SHA512</c>).</summary>
    HmacSha512 = 0x15,

    /// <summary>AES-CMAC (<c>A_ALG_AES_CMAC</c>).</summary>
    AesCmac = 0x21,

    /// <summary>SM3 (<c>A_ALG_SM3</c>).</summary>
    Sm3 = 0x25,

    /// <summary>HMAC-SM3 (<c>A_ALG_HMAC_SM3</c>).</summary>
    HmacSm3 = 0x26,
}
