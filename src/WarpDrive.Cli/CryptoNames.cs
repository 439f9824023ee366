using WarpDrive.Abi;

namespace WarpDrive.Cli;

/// <summary>The algorithm names wd's crypto commands take (OpenSSL's spelling where it has one).</summary>
internal static class CryptoNames
{
    public static readonly IReadOnlyDictionary<string, DigestAlgorithm> Digests = new Dictionary<string, DigestAlgorithm>
    {
        ["md5"] = DigestAlgorithm.Md5,
        ["sha1"] = DigestAlgorithm.Sha1,
        ["sha224"] = DigestAlgorithm.Sha224,
        ["sha256"] = DigestAlgorithm.Sha256,
        ["sha384"] = DigestAlgorithm.Sha384,
        ["sha512"] = DigestAlgorithm.Sha512,
        ["sha3-256"] = DigestAlgorithm.Sha3_256,
        ["sha3-512"] = DigestAlgorithm.Sha3_512,
        ["sm3"] = DigestAlgorithm.Sm3,
        ["aes-cmac"] = DigestAlgorithm.AesCmac,
    };

    /// <summary>A cipher name: the ABI algorithm (block cipher or AEAD) and the key length it implies.</summary>
    public readonly record struct CipherName(CipherAlgorithm? Cipher, AeadAlgorithm? Aead, int KeyLength);

    public static readonly IReadOnlyDictionary<string, CipherName> Ciphers = BuildCiphers();

    private static Dictionary<string, CipherName> BuildCiphers()
    {
        var names = new Dictionary<string, CipherName>();
        foreach (int bits in (int[])[128, 192, 256])
        {
            names[$"aes-{bits}-ecb"] = new(CipherAlgorithm.AesEcb, null, bits / 8);
            names[$"aes-{bits}-cbc"] = new(CipherAlgorithm.AesCbc, null, bits / 8);
            names[$"aes-{bits}-ctr"] = new(CipherAlgorithm.AesCtr, null, bits / 8);
            names[$"aes-{bits}-ofb"] = new(CipherAlgorithm.AesOfb, null, bits / 8);
            names[$"aes-{bits}-cfb"] = new(CipherAlgorithm.AesCfb, null, bits / 8);
            names[$"aes-{bits}-gcm"] = new(null, AeadAlgorithm.AesGcm, bits / 8);
            names[$"aes-{bits}-ccm"] = new(null, AeadAlgorithm.AesCcm, bits / 8);
        }

        names["aes-128-xts"] = new(CipherAlgorithm.AesXts, null, 32);
        names["aes-256-xts"] = new(CipherAlgorithm.AesXts, null, 64);
        names["sm4-ecb"] = new(CipherAlgorithm.Sm4Ecb, null, 16);
        names["sm4-cbc"] = new(CipherAlgorithm.Sm4Cbc, null, 16);
        names["sm4-ctr"] = new(CipherAlgorithm.Sm4Ctr, null, 16);
        names["sm4-xts"] = new(CipherAlgorithm.Sm4Xts, null, 32);
        names["sm4-gcm"] = new(null, AeadAlgorithm.Sm4Gcm, 16);
        names["des-ede3"] = new(CipherAlgorithm.TripleDesEcb, null, 24);
        names["des-ede3-cbc"] = new(CipherAlgorithm.TripleDesCbc, null, 24);
        names["chacha20-poly1305"] = new(null, AeadAlgorithm.ChaCha20Poly1305, 32);
        return names;
    }
}
