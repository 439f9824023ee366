namespace WarpDrive.Abi.Uacce;

/// <summary>The cipher of a SEC BD (<see cref="HisiSecSqe.CipherAlgorithm"/>; UADK's <c>enum C_ALG</c>).</summary>
public enum HisiSecCipherAlgorithm : byte
{
    /// <summary>DES (<c>C_ALG_DES</c>).</summary>
    Des = 0x0,

    /// <summary>Triple DES (<c>C_ALG_3DES</c>).</summary>
    TripleDes = 0x1,

    /// <summary>AES (<c>C_ALG_AES</c>).</summary>
    Aes = 0x2,

    /// <summary>SM4 (<c>C_ALG_SM4</c>).</summary>
    Sm4 = 0x3,
}
