namespace WarpDrive.Scheduling;

/// <summary>The algorithm libraries of libwd (UADK's wd_comp, wd_cipher, wd_digest, wd_aead, wd_rsa, wd_dh,
/// wd_ecc). Each owns its own contexts, scheduler and polling threads.</summary>
public enum AlgorithmLibrary
{
    /// <summary>Compression and decompression (<c>WD_COMP_*</c>; operations <c>comp</c>, <c>decomp</c>).</summary>
    Comp,

    /// <summary>Symmetric ciphers (<c>WD_CIPHER_*</c>; operations <c>encrypt</c>, <c>decrypt</c>).</summary>
    Cipher,

    /// <summary>Digests and MACs (<c>WD_DIGEST_*</c>; no operation types).</summary>
    Digest,

    /// <summary>Authenticated encryption (<c>WD_AEAD_*</c>; operations <c>encrypt</c>, <c>decrypt</c>).</summary>
    Aead,

    /// <summary>RSA (<c>WD_RSA_*</c>; no operation types).</summary>
    Rsa,

    /// <summary>Diffie-Hellman (<c>WD_DH_*</c>; no operation types).</summary>
    Dh,

    /// <summary>Elliptic curves: ECDSA, SM2, ECDH, X25519 (<c>WD_ECC_*</c>; no operation types).</summary>
    Ecc,
}
