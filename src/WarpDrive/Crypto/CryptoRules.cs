using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>The parameter rules of the SEC algorithms, checked in the library so that a bad key, IV or tag fails with
/// a clear message before anything is queued (the device checks them again: it trusts no client).</summary>
public static class CryptoRules
{
    /// <summary>Block size of <paramref name="algorithm"/> in bytes.</summary>
    public static int BlockSize(CipherAlgorithm algorithm) => algorithm >= CipherAlgorithm.TripleDesEcb ? 8 : 16;

    /// <summary>IV length the mode needs (0 for ECB).</summary>
    public static int IvLength(CipherAlgorithm algorithm) =>
        algorithm is CipherAlgorithm.AesEcb or CipherAlgorithm.Sm4Ecb or CipherAlgorithm.TripleDesEcb ? 0 : BlockSize(algorithm);

    /// <summary>Whether <paramref name="length"/> is a key length of <paramref name="algorithm"/>.</summary>
    public static bool IsValidKeyLength(CipherAlgorithm algorithm, int length) => algorithm switch
    {
        CipherAlgorithm.AesXts => length is 32 or 64,
        CipherAlgorithm.Sm4Xts => length == 32,
        CipherAlgorithm.AesEcb or CipherAlgorithm.AesCbc or CipherAlgorithm.AesCtr or CipherAlgorithm.AesOfb or CipherAlgorithm.AesCfb => length is 16 or 24 or 32,
        CipherAlgorithm.Sm4Ecb or CipherAlgorithm.Sm4Cbc or CipherAlgorithm.Sm4Ctr => length == 16,
        CipherAlgorithm.TripleDesEcb or CipherAlgorithm.TripleDesCbc => length == 24,
        _ => false,
    };

    /// <summary>Whether a source of <paramref name="length"/> bytes is valid: ECB and CBC take whole blocks (no padding),
    /// XTS at least one block, the stream modes anything.</summary>
    public static bool IsValidLength(CipherAlgorithm algorithm, long length) => algorithm switch
    {
        CipherAlgorithm.AesXts or CipherAlgorithm.Sm4Xts => length >= 16,
        CipherAlgorithm.AesCtr or CipherAlgorithm.AesOfb or CipherAlgorithm.AesCfb or CipherAlgorithm.Sm4Ctr => true,
        _ => length % BlockSize(algorithm) == 0,
    };

    /// <summary>Digest (or MAC) size of <paramref name="algorithm"/> in bytes.</summary>
    public static int HashSize(DigestAlgorithm algorithm) => DigestSizes.Of(algorithm);

    /// <summary>Whether <paramref name="length"/> is a key length of <paramref name="algorithm"/>.</summary>
    public static bool IsValidKeyLength(AeadAlgorithm algorithm, int length) => algorithm switch
    {
        AeadAlgorithm.AesGcm or AeadAlgorithm.AesCcm => length is 16 or 24 or 32,
        AeadAlgorithm.Sm4Gcm => length == 16,
        AeadAlgorithm.ChaCha20Poly1305 => length == 32,
        _ => false,
    };

    /// <summary>Whether <paramref name="length"/> is a nonce length of <paramref name="algorithm"/>.</summary>
    public static bool IsValidNonceLength(AeadAlgorithm algorithm, int length) =>
        algorithm == AeadAlgorithm.AesCcm ? length is >= 7 and <= 13 : length == 12;

    /// <summary>Longest message AES-CCM takes with a nonce of <paramref name="nonceLength"/> bytes: its length field has
    /// 15 - nonce bytes (RFC 3610), so a 12-byte nonce allows 16 MiB - 1 and a 7-byte one anything a request can hold.</summary>
    public static long MaxCcmMessageLength(int nonceLength) =>
        15 - nonceLength >= 4 ? uint.MaxValue : (1L << (8 * (15 - nonceLength))) - 1;

    /// <summary>Whether <paramref name="length"/> is a tag length of <paramref name="algorithm"/>.</summary>
    public static bool IsValidTagLength(AeadAlgorithm algorithm, int length) => algorithm switch
    {
        AeadAlgorithm.AesCcm => length is >= 4 and <= 16 && length % 2 == 0,
        AeadAlgorithm.ChaCha20Poly1305 => length == 16,
        _ => length is >= 12 and <= 16,
    };

    /// <summary>Whether a 24-byte 3DES key has K1 = K2 or K2 = K3 (ignoring parity bits): it degenerates to single DES,
    /// and the device (like the runtime) refuses it.</summary>
    public static bool IsDegenerateTripleDesKey(ReadOnlySpan<byte> key) =>
        key.Length == 24 && (SameIgnoringParity(key[..8], key[8..16]) || SameIgnoringParity(key[8..16], key[16..]));

    private static bool SameIgnoringParity(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (int i = 0; i < 8; i++)
        {
            if ((a[i] & 0xFE) != (b[i] & 0xFE))
            {
                return false;
            }
        }

        return true;
    }
}
