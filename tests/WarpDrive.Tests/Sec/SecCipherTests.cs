using System.Security.Cryptography;
using WarpDrive.Abi;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Sec;

/// <summary>Cipher requests through a real in-process SEC device against published vectors, and round trips
/// cross-checked against the runtime's own AES and 3DES.</summary>
public sealed class SecCipherTests : IDisposable
{
    // NIST SP 800-38A, appendix F: the four-block plaintext and keys shared by F.1-F.5.
    private const string Plain38A = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
        + "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
    private const string Key128 = "2b7e151628aed2a6abf7158809cf4f3c";
    private const string Key256 = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
    private const string Iv38A = "000102030405060708090a0b0c0d0e0f";
    private const string Counter38A = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

    private readonly SecHarness _sec = new();

    public void Dispose() => _sec.Dispose();

    public static TheoryData<CipherAlgorithm, string, string?, string> Sp80038AVectors() => new()
    {
        // F.1.1 ECB-AES128.Encrypt
        { CipherAlgorithm.AesEcb, Key128, null, "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4" },
        // F.1.5 ECB-AES256.Encrypt
        { CipherAlgorithm.AesEcb, Key256, null, "f3eed1bdb5d2a03c064b5a7e3db181f8591ccb10d410ed26dc5ba74a31362870b6ed21b99ca6f4f9f153e7b1beafed1d23304b7a39f9f3ff067d8d8f9e24ecc7" },
        // F.2.1 CBC-AES128.Encrypt
        { CipherAlgorithm.AesCbc, Key128, Iv38A, "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7" },
        // F.3.13 CFB128-AES128.Encrypt
        { CipherAlgorithm.AesCfb, Key128, Iv38A, "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6" },
        // F.4.1 OFB-AES128.Encrypt
        { CipherAlgorithm.AesOfb, Key128, Iv38A, "3b3fd92eb72dad20333449f8e83cfb4a7789508d16918f03f53c52dac54ed8259740051e9c5fecf64344f7a82260edcc304c6528f659c77866a510d9c1d6ae5e" },
        // F.5.1 CTR-AES128.Encrypt
        { CipherAlgorithm.AesCtr, Key128, Counter38A, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee" },
        // F.5.5 CTR-AES256.Encrypt
        { CipherAlgorithm.AesCtr, Key256, Counter38A, "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c52b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6" },
    };

    [Theory]
    [MemberData(nameof(Sp80038AVectors))]
    public void Sp80038AEncryptAndDecrypt(CipherAlgorithm algorithm, string key, string? iv, string ciphertext)
    {
        byte[] k = Hex(key), v = iv is null ? null! : Hex(iv);
        Assert.Equal(ciphertext, ToHex(_sec.Encrypt(algorithm, k, iv is null ? null : v, Hex(Plain38A))));
        Assert.Equal(Plain38A.Replace(" ", "", StringComparison.Ordinal), ToHex(_sec.Decrypt(algorithm, k, iv is null ? null : v, Hex(ciphertext))));
    }

    [Theory]
    [MemberData(nameof(Sp80038AVectors))]
    public void Sp80038AStreamModesOnATruncatedMessage(CipherAlgorithm algorithm, string key, string? iv, string ciphertext)
    {
        // CTR, OFB and CFB take any length: the first 37 bytes encrypt to the first 37 bytes of the vector.
        if (algorithm is not (CipherAlgorithm.AesCtr or CipherAlgorithm.AesOfb or CipherAlgorithm.AesCfb))
        {
            return;
        }

        byte[] plain = Hex(Plain38A)[..37];
        byte[] expected = Hex(ciphertext)[..37];
        Assert.Equal(expected, _sec.Encrypt(algorithm, Hex(key), Hex(iv!), plain));
        Assert.Equal(plain, _sec.Decrypt(algorithm, Hex(key), Hex(iv!), expected));
    }

    public static TheoryData<string, string, string, string> XtsVectors() => new()
    {
        // IEEE 1619-2007 annex B, vector 1: Key1 = Key2 = 0, data unit 0, 32 zero bytes.
        { "00000000000000000000000000000000" + "00000000000000000000000000000000", "00000000000000000000000000000000",
          "0000000000000000000000000000000000000000000000000000000000000000",
          "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e" },
        // Vector 2: Key1 = 11.., Key2 = 22.., data unit 0x3333333333.
        { "11111111111111111111111111111111" + "22222222222222222222222222222222", "33333333330000000000000000000000",
          "4444444444444444444444444444444444444444444444444444444444444444",
          "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0" },
        // Vectors 15-18: ciphertext stealing, 17-20 bytes, data unit 0x123456789a.
        { "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0", "9a785634120000000000000000000000",
          "000102030405060708090a0b0c0d0e0f10", "6c1625db4671522d3d7599601de7ca09ed" },
        { "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0", "9a785634120000000000000000000000",
          "000102030405060708090a0b0c0d0e0f1011", "d069444b7a7e0cab09e24447d24deb1fedbf" },
        { "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0", "9a785634120000000000000000000000",
          "000102030405060708090a0b0c0d0e0f101112", "e5df1351c0544ba1350b3363cd8ef4beedbf9d" },
        { "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0" + "bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0", "9a785634120000000000000000000000",
          "000102030405060708090a0b0c0d0e0f10111213", "9d84c813f719aa2c7be3f66171c7c5c2edbf9dac" },
    };

    [Theory]
    [MemberData(nameof(XtsVectors))]
    public void Ieee1619XtsAes128(string key, string tweak, string plaintext, string ciphertext)
    {
        Assert.Equal(ciphertext, ToHex(_sec.Encrypt(CipherAlgorithm.AesXts, Hex(key), Hex(tweak), Hex(plaintext))));
        Assert.Equal(plaintext, ToHex(_sec.Decrypt(CipherAlgorithm.AesXts, Hex(key), Hex(tweak), Hex(ciphertext))));
    }

    [Fact]
    public void GbT32907Sm4Example()
    {
        // GB/T 32907-2016 appendix A, example 1: key = plaintext = 0123456789abcdeffedcba9876543210.
        byte[] k = Hex("0123456789abcdeffedcba9876543210");
        Assert.Equal("681edf34d206965e86b3e94f536e4246", ToHex(_sec.Encrypt(CipherAlgorithm.Sm4Ecb, k, null, k)));
        Assert.Equal(k, _sec.Decrypt(CipherAlgorithm.Sm4Ecb, k, null, Hex("681edf34d206965e86b3e94f536e4246")));
    }

    [Fact]
    public void Sm4ModesFollowTheirDefinitionOverTheEcbPrimitive()
    {
        // SM4-CBC and SM4-CTR rebuilt by hand from the device's own SM4-ECB (checked above against GB/T 32907).
        byte[] key = RandomNumberGenerator.GetBytes(16), iv = RandomNumberGenerator.GetBytes(16);
        byte[] plain = RandomNumberGenerator.GetBytes(48);
        byte[] cbc = _sec.Encrypt(CipherAlgorithm.Sm4Cbc, key, iv, plain);
        byte[] previous = iv;
        for (int b = 0; b < 3; b++)
        {
            byte[] x = new byte[16];
            for (int i = 0; i < 16; i++)
            {
                x[i] = (byte)(plain[(b * 16) + i] ^ previous[i]);
            }

            previous = _sec.Encrypt(CipherAlgorithm.Sm4Ecb, key, null, x);
            Assert.Equal(previous, cbc[(b * 16)..((b + 1) * 16)]);
        }

        byte[] counter = Hex("000000000000000000000000fffffffe"); // crosses a 32-bit boundary in block 2
        byte[] ctr = _sec.Encrypt(CipherAlgorithm.Sm4Ctr, key, counter, plain[..40]);
        byte[] blocks = Hex("000000000000000000000000fffffffe" + "000000000000000000000000ffffffff" + "00000000000000000000000100000000");
        byte[] stream = _sec.Encrypt(CipherAlgorithm.Sm4Ecb, key, null, blocks);
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal((byte)(plain[i] ^ stream[i]), ctr[i]);
        }
    }

    [Fact]
    public void TripleDesMatchesTheRuntime()
    {
        byte[] key = Hex("0123456789abcdef23456789abcdef01456789abcdef0123"); // SP 800-67 example keys
        byte[] iv = Hex("f69f2445df4f9b17");
        byte[] plain = Hex("5468652071756663 6b2062726f776e20 666f78206a756d70 73206f7665722074"); // "The qufck brown fox jump..."
#pragma warning disable CA5350 // the reference implementation the device is checked against
        using var des = TripleDES.Create();
#pragma warning restore CA5350
        des.Key = key;
        Assert.Equal(des.EncryptEcb(plain, PaddingMode.None), _sec.Encrypt(CipherAlgorithm.TripleDesEcb, key, null, plain));
        Assert.Equal(des.EncryptCbc(plain, iv, PaddingMode.None), _sec.Encrypt(CipherAlgorithm.TripleDesCbc, key, iv, plain));
        Assert.Equal(plain, _sec.Decrypt(CipherAlgorithm.TripleDesCbc, key, iv, des.EncryptCbc(plain, iv, PaddingMode.None)));
        // SP 800-67 rev. 1 appendix B example: "The qufck brown fox jump" under those keys.
        Assert.Equal("a826fd8ce53b855fcce21c8112256fe668d5c05dd9b6b900", ToHex(_sec.Encrypt(CipherAlgorithm.TripleDesEcb, key, null, plain[..24])));
    }

    public static TheoryData<CipherAlgorithm, int, int> RoundTripCases()
    {
        var data = new TheoryData<CipherAlgorithm, int, int>();
        foreach (int length in new[] { 1, 15, 17, 100, 65_536 + 33, 200_003 })
        {
            data.Add(CipherAlgorithm.AesCtr, 16, length);
            data.Add(CipherAlgorithm.AesCtr, 32, length);
            data.Add(CipherAlgorithm.AesOfb, 24, length);
            data.Add(CipherAlgorithm.AesCfb, 32, length);
            data.Add(CipherAlgorithm.Sm4Ctr, 16, length);
            if (length >= 16)
            {
                data.Add(CipherAlgorithm.AesXts, 32, length);
                data.Add(CipherAlgorithm.AesXts, 64, length);
                data.Add(CipherAlgorithm.Sm4Xts, 32, length);
            }
        }

        foreach (int length in new[] { 0, 16, 48, 65_536 + 16 * 7 })
        {
            data.Add(CipherAlgorithm.AesEcb, 16, length);
            data.Add(CipherAlgorithm.AesCbc, 24, length);
            data.Add(CipherAlgorithm.Sm4Ecb, 16, length);
            data.Add(CipherAlgorithm.Sm4Cbc, 16, length);
            data.Add(CipherAlgorithm.TripleDesEcb, 24, length);
            data.Add(CipherAlgorithm.TripleDesCbc, 24, length);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoundTripCases))]
    public void RoundTrip(CipherAlgorithm algorithm, int keyLength, int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(keyLength);
        byte[]? iv = algorithm is CipherAlgorithm.AesEcb or CipherAlgorithm.Sm4Ecb or CipherAlgorithm.TripleDesEcb ? null
            : RandomNumberGenerator.GetBytes(algorithm == CipherAlgorithm.TripleDesCbc ? 8 : 16);
        byte[] plain = RandomNumberGenerator.GetBytes(length);
        byte[] cipher = _sec.Encrypt(algorithm, key, iv, plain);
        Assert.Equal(length, cipher.Length);
        if (length >= 32)
        {
            Assert.NotEqual(plain, cipher);
        }

        Assert.Equal(plain, _sec.Decrypt(algorithm, key, iv, cipher));
        byte[]? reference = Reference(algorithm, key, iv, plain);
        if (reference is not null)
        {
            Assert.Equal(reference, cipher);
        }
    }

    [Fact]
    public void XtsPrefixBlocksAreIndependentOfTheTail()
    {
        // XTS encrypts block j with tweak T*alpha^j: the first whole blocks of a longer message (before the two
        // blocks that ciphertext stealing touches) equal those of the shorter one.
        byte[] key = RandomNumberGenerator.GetBytes(64), iv = RandomNumberGenerator.GetBytes(16);
        byte[] plain = RandomNumberGenerator.GetBytes(16 * 5000 + 7);
        byte[] full = _sec.Encrypt(CipherAlgorithm.AesXts, key, iv, plain);
        byte[] prefix = _sec.Encrypt(CipherAlgorithm.AesXts, key, iv, plain[..(16 * 4998)]);
        Assert.Equal(prefix, full[..(16 * 4998)]);
    }

    /// <summary>The runtime's own result for the modes it has (ECB, CBC, CFB128 over whole blocks, and CTR/OFB
    /// composed from its ECB/CBC), else null.</summary>
    private static byte[]? Reference(CipherAlgorithm algorithm, byte[] key, byte[]? iv, byte[] plain)
    {
        if (algorithm is CipherAlgorithm.TripleDesEcb or CipherAlgorithm.TripleDesCbc)
        {
#pragma warning disable CA5350 // the reference implementation the device is checked against
            using var des = TripleDES.Create();
#pragma warning restore CA5350
            des.Key = key;
            return algorithm == CipherAlgorithm.TripleDesEcb ? des.EncryptEcb(plain, PaddingMode.None) : des.EncryptCbc(plain, iv!, PaddingMode.None);
        }

        if (algorithm is not (CipherAlgorithm.AesEcb or CipherAlgorithm.AesCbc or CipherAlgorithm.AesCfb or CipherAlgorithm.AesCtr or CipherAlgorithm.AesOfb))
        {
            return null;
        }

        using var aes = Aes.Create();
        aes.Key = key;
        int padded = (plain.Length + 15) / 16 * 16;
        switch (algorithm)
        {
            case CipherAlgorithm.AesEcb:
                return aes.EncryptEcb(plain, PaddingMode.None);
            case CipherAlgorithm.AesCbc:
                return aes.EncryptCbc(plain, iv!, PaddingMode.None);
            case CipherAlgorithm.AesCfb:
                // The runtime's CFB128 takes whole blocks: compare on a zero-padded copy, truncated.
                byte[] whole = new byte[padded];
                plain.CopyTo(whole, 0);
                return aes.EncryptCfb(whole, iv!, PaddingMode.None, 128)[..plain.Length];
            case CipherAlgorithm.AesOfb:
                byte[] ofb = aes.EncryptCbc(new byte[padded], iv!, PaddingMode.None);
                return Xor(plain, ofb);
            default:
                byte[] counters = new byte[padded];
                var c = new System.Numerics.BigInteger(iv!, isUnsigned: true, isBigEndian: true);
                for (int b = 0; b < padded / 16; b++)
                {
                    byte[] be = ((c + b) % System.Numerics.BigInteger.Pow(2, 128)).ToByteArray(isUnsigned: true, isBigEndian: true);
                    be.CopyTo(counters, (b * 16) + 16 - be.Length);
                }

                return Xor(plain, aes.EncryptEcb(counters, PaddingMode.None));
        }
    }

    private static byte[] Xor(byte[] a, byte[] stream)
    {
        byte[] result = new byte[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] ^ stream[i]);
        }

        return result;
    }
}
