namespace WarpDrive.Abi.Uacce;

/// <summary>The cipher mode of a SEC BD (<see cref="HisiSecSqe.CipherModeKeyLength"/> bits 12-15; UADK's
/// <c>enum C_MODE</c>). A type-2 BD takes ECB, CBC and XTS for ciphers (UADK's <c>fill_cipher_bd2_mode</c>).</summary>
public enum HisiSecCipherMode : byte
{
    /// <summary>Electronic codebook (<c>C_MODE_ECB</c>).</summary>
    Ecb = 0x0,

    /// <summary>Cipher block chaining (<c>C_MODE_CBC</c>).</summary>
    Cbc = 0x1,

    /// <summary>Cipher feedback (<c>C_MODE_CFB</c>; type-3 BDs only).</summary>
    Cfb = 0x2,

    /// <summary>Output feedback (<c>C_MODE_OFB</c>; type-3 BDs only).</summary>
    Ofb = 0x3,

    /// <summary>Counter (<c>C_MODE_CTR</c>; type-3 BDs only).</summary>
    Ctr = 0x4,

    /// <summary>CCM (<c>C_MODE_CCM</c>).</summary>
    Ccm = 0x5,

    /// <summary>GCM (<c>C_MODE_GCM</c>).</summary>
    Gcm = 0x6,

    /// <summary>XTS with ciphertext stealing (<c>C_MODE_XTS</c>).</summary>
    Xts = 0x7,
}
