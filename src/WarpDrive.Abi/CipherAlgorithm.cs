namespace WarpDrive.Abi;

/// <summary>Block cipher and mode of a cipher request: SQE <c>Algorithm</c> for <see cref="Opcode.CipherEncrypt"/> and
/// <see cref="Opcode.CipherDecrypt"/>. The high nibble is the cipher, the low nibble the mode; the key length picks
/// the variant (AES-128/192/256; XTS keys are two keys in one).</summary>
public enum CipherAlgorithm : byte
{
    /// <summary>AES, electronic codebook. Key 16, 24 or 32 bytes; no IV; length a multiple of 16.</summary>
    AesEcb = 0x10,

    /// <summary>AES, cipher block chaining. IV 16 bytes; length a multiple of 16 (no padding).</summary>
    AesCbc = 0x11,

    /// <summary>AES, counter mode (128-bit big-endian counter). IV 16 bytes; any length.</summary>
    AesCtr = 0x12,

    /// <summary>AES-XTS (IEEE 1619) with ciphertext stealing. Key 32 or 64 bytes (two keys); IV 16 bytes (the tweak);
    /// length at least 16.</summary>
    AesXts = 0x13,

    /// <summary>AES, output feedback. IV 16 bytes; any length.</summary>
    AesOfb = 0x14,

    /// <summary>AES, 128-bit cipher feedback. IV 16 bytes; any length.</summary>
    AesCfb = 0x15,

    /// <summary>SM4 (GB/T 32907), electronic codebook. Key 16 bytes.</summary>
    Sm4Ecb = 0x20,

    /// <summary>SM4, cipher block chaining. IV 16 bytes.</summary>
    Sm4Cbc = 0x21,

    /// <summary>SM4, counter mode. IV 16 bytes.</summary>
    Sm4Ctr = 0x22,

    /// <summary>SM4-XTS. Key 32 bytes (two keys); IV 16 bytes.</summary>
    Sm4Xts = 0x23,

    /// <summary>Triple DES (EDE3), electronic codebook. Key 24 bytes; length a multiple of 8.</summary>
    TripleDesEcb = 0x30,

    /// <summary>Triple DES (EDE3), cipher block chaining. IV 8 bytes.</summary>
    TripleDesCbc = 0x31,
}
