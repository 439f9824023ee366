namespace WarpDrive.Abi.Uacce;

/// <summary>The task an HPRE SQE names in its <c>alg</c> field (UADK's <c>enum hpre_alg_type</c> in
/// <c>drv/hisi_hpre.c</c>; the kernel's <c>enum hpre_alg_type</c> in <c>drivers/crypto/hisilicon/hpre/hpre.h</c>).</summary>
public enum HisiHpreAlgorithm : byte
{
    /// <summary>RSA modular exponentiation with a key of exponent and modulus (<c>HPRE_ALG_NC_NCRT</c>): e||n or d||n.</summary>
    RsaNoCrt = 0x0,

    /// <summary>RSA private-key exponentiation with the CRT key dq||dp||q||p||qinv (<c>HPRE_ALG_NC_CRT</c>).</summary>
    RsaCrt = 0x1,

    /// <summary>RSA key generation, d and n from e, p, q (<c>HPRE_ALG_KG_STD</c>).</summary>
    RsaKeyGenStandard = 0x2,

    /// <summary>RSA key generation, the CRT key from e, p, q (<c>HPRE_ALG_KG_CRT</c>).</summary>
    RsaKeyGenCrt = 0x3,

    /// <summary>Diffie-Hellman with the generator 2: no input (<c>HPRE_ALG_DH_G2</c>).</summary>
    DhG2 = 0x4,

    /// <summary>Diffie-Hellman: input^x mod p with the key x||p (<c>HPRE_ALG_DH</c>).</summary>
    Dh = 0x5,

    /// <summary>ECC point multiplication (ECDH key generation and agreement) on a short Weierstrass curve
    /// (<c>HPRE_ALG_ECDH_MULTIPLY</c>).</summary>
    EcdhMultiply = 0xD,

    /// <summary>ECDSA signature of e with the nonce k (<c>HPRE_ALG_ECDSA_SIGN</c>).</summary>
    EcdsaSign = 0xE,

    /// <summary>ECDSA verification (<c>HPRE_ALG_ECDSA_VERF</c>): the result in bit 1 of the output address's low word.</summary>
    EcdsaVerify = 0xF,

    /// <summary>X25519/X448 scalar multiplication on the Montgomery u-coordinate (<c>HPRE_ALG_X_DH_MULTIPLY</c>).</summary>
    XdhMultiply = 0x10,

    /// <summary>SM2 key generation (<c>HPRE_ALG_SM2_KEY_GEN</c>).</summary>
    Sm2KeyGen = 0x11,

    /// <summary>SM2 signature (<c>HPRE_ALG_SM2_SIGN</c>).</summary>
    Sm2Sign = 0x12,

    /// <summary>SM2 verification (<c>HPRE_ALG_SM2_VERF</c>).</summary>
    Sm2Verify = 0x13,

    /// <summary>SM2 encryption (<c>HPRE_ALG_SM2_ENC</c>).</summary>
    Sm2Encrypt = 0x14,

    /// <summary>SM2 decryption (<c>HPRE_ALG_SM2_DEC</c>).</summary>
    Sm2Decrypt = 0x15,
}
