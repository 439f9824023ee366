using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Drivers;

/// <summary>libwd's cipher and digest algorithms in a SEC type-2 BD's codes (UADK's <c>fill_cipher_bd2_alg</c>,
/// <c>fill_cipher_bd2_mode</c> and <c>g_digest_a_alg</c>/<c>g_hmac_a_alg</c>), for those the BD takes.</summary>
internal static class HisiSecCodes
{
    /// <summary>The cipher, mode and key-length code of <paramref name="algorithm"/> with a key of
    /// <paramref name="keyLength"/> bytes, and its block size; false when a type-2 BD cannot run it.</summary>
    public static bool TryCipher(CipherAlgorithm algorithm, uint keyLength, out HisiSecCipherAlgorithm cipher, out HisiSecCipherMode mode,
        out byte keyCode, out int block)
    {
        (cipher, mode, block) = algorithm switch
        {
            CipherAlgorithm.AesEcb => (HisiSecCipherAlgorithm.Aes, HisiSecCipherMode.Ecb, 16),
            CipherAlgorithm.AesCbc => (HisiSecCipherAlgorithm.Aes, HisiSecCipherMode.Cbc, 16),
            CipherAlgorithm.AesXts => (HisiSecCipherAlgorithm.Aes, HisiSecCipherMode.Xts, 16),
            CipherAlgorithm.Sm4Ecb => (HisiSecCipherAlgorithm.Sm4, HisiSecCipherMode.Ecb, 16),
            CipherAlgorithm.Sm4Cbc => (HisiSecCipherAlgorithm.Sm4, HisiSecCipherMode.Cbc, 16),
            CipherAlgorithm.Sm4Xts => (HisiSecCipherAlgorithm.Sm4, HisiSecCipherMode.Xts, 16),
            CipherAlgorithm.TripleDesEcb => (HisiSecCipherAlgorithm.TripleDes, HisiSecCipherMode.Ecb, 8),
            CipherAlgorithm.TripleDesCbc => (HisiSecCipherAlgorithm.TripleDes, HisiSecCipherMode.Cbc, 8),
            _ => (default, default, 0),
        };
        uint perKey = mode == HisiSecCipherMode.Xts ? keyLength / 2 : keyLength;
        int code = block == 0 || (mode == HisiSecCipherMode.Xts && keyLength % 2 != 0) ? -1 : (cipher, perKey) switch
        {
            (HisiSecCipherAlgorithm.Aes, 16) or (HisiSecCipherAlgorithm.Sm4, 16) => HisiSecSqe.KeyLength128,
            (HisiSecCipherAlgorithm.Aes, 24) or (HisiSecCipherAlgorithm.TripleDes, 24) => HisiSecSqe.KeyLength192,
            (HisiSecCipherAlgorithm.Aes, 32) => HisiSecSqe.KeyLength256,
            _ => -1,
        };
        keyCode = (byte)Math.Max(code, 0);
        return code >= 0;
    }

    /// <summary>The authentication algorithm of <paramref name="algorithm"/> (HMAC or plain), its digest size and its
    /// block size; false when a type-2 BD cannot run it.</summary>
    public static bool TryDigest(DigestAlgorithm algorithm, bool hmac, out HisiSecAuthAlgorithm auth, out int size, out int blockSize)
    {
        (auth, size, blockSize) = algorithm switch
        {
            DigestAlgorithm.Md5 => (hmac ? HisiSecAuthAlgorithm.HmacMd5 : HisiSecAuthAlgorithm.Md5, 16, 64),
            DigestAlgorithm.Sha1 => (hmac ? HisiSecAuthAlgorithm.HmacSha1 : HisiSecAuthAlgorithm.Sha1, 20, 64),
            DigestAlgorithm.Sha224 => (hmac ? HisiSecAuthAlgorithm.HmacSha224 : HisiSecAuthAlgorithm.Sha224, 28, 64),
            DigestAlgorithm.Sha256 => (hmac ? HisiSecAuthAlgorithm.HmacSha256 : HisiSecAuthAlgorithm.Sha256, 32, 64),
            DigestAlgorithm.Sha384 => (hmac ? HisiSecAuthAlgorithm.HmacSha384 : HisiSecAuthAlgorithm.Sha384, 48, 128),
            DigestAlgorithm.Sha512 => (hmac ? HisiSecAuthAlgorithm.HmacSha512 : HisiSecAuthAlgorithm.Sha512, 64, 128),
            DigestAlgorithm.Sm3 => (hmac ? HisiSecAuthAlgorithm.HmacSm3 : HisiSecAuthAlgorithm.Sm3, 32, 64),
            _ => (default, 0, 0),
        };
        return size != 0;
    }
}
