namespace WarpDrive.Abi;

/// <summary>Hash function of a digest request (SQE <c>Algorithm</c> for <see cref="Opcode.Digest"/>), and the hash of
/// an RSA padding or signature scheme (SQE <c>Hash</c>).</summary>
public enum DigestAlgorithm : byte
{
    /// <summary>No hash (HPRE: the scheme needs none).</summary>
    None = 0,

    /// <summary>MD5 (16 bytes). For compatibility only.</summary>
    Md5 = 1,

    /// <summary>SHA-1 (20 bytes).</summary>
    Sha1 = 2,

    /// <summary>SHA-224 (28 bytes).</summary>
    Sha224 = 3,

    /// <summary>SHA-256 (32 bytes).</summary>
    Sha256 = 4,

    /// <summary>SHA-384 (48 bytes).</summary>
    Sha384 = 5,

    /// <summary>SHA-512 (64 bytes).</summary>
    Sha512 = 6,

    /// <summary>SHA3-256 (32 bytes).</summary>
    Sha3_256 = 7,

    /// <summary>SHA3-512 (64 bytes).</summary>
    Sha3_512 = 8,

    /// <summary>SM3 (GB/T 32905, 32 bytes).</summary>
    Sm3 = 9,

    /// <summary>CMAC over AES (NIST SP 800-38B, 16 bytes); keyed with a 16, 24 or 32-byte AES key. Mode must be
    /// <see cref="DigestMode.Hash"/>.</summary>
    AesCmac = 0x10,
}
