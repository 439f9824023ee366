using System.Security.Cryptography;
using System.Text;
using WarpDrive.Abi;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Sec;

/// <summary>AEAD requests through a real in-process SEC device: published vectors and tag failures.</summary>
public sealed class SecAeadTests : IDisposable
{
    private readonly SecHarness _sec = new();

    public void Dispose() => _sec.Dispose();

    public static TheoryData<AeadAlgorithm, string, string, string, string, string, string> Vectors() => new()
    {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 4 (AES-128, AAD, 60 bytes)
        {
            AeadAlgorithm.AesGcm, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            "5bc94fbc3221a5db94fae95ae7121a47"
        },
        // Same, test case 2 (AES-128, no AAD, one block)
        { AeadAlgorithm.AesGcm, "00000000000000000000000000000000", "000000000000000000000000", "", "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
        // Same, test case 3 (AES-128, no AAD, 64 bytes)
        {
            AeadAlgorithm.AesGcm, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
            "4d5c2af327cd64a62cf35abd2ba6fab4"
        },
        // Same, test case 8 (AES-192, no AAD, one block)
        {
            AeadAlgorithm.AesGcm, "000000000000000000000000000000000000000000000000", "000000000000000000000000", "", "00000000000000000000000000000000",
            "98e7247c07f0fe411c267e4384b0f600", "2ff58d80033927ab8ef4d4587514f0fb"
        },
        // Same, test case 16 (AES-256)
        {
            AeadAlgorithm.AesGcm, "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
            "76fc6ece0f4e1768cddf8853bb2d551b"
        },
        // RFC 3610 packet vector #1 (AES-CCM, M = 8, L = 2)
        {
            AeadAlgorithm.AesCcm, "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf", "00000003020100a0a1a2a3a4a5", "0001020304050607",
            "08090a0b0c0d0e0f101112131415161718191a1b1c1d1e", "588c979a61c663d2f066d0c2c0f989806d5f6b61dac384", "17e8d12cfdf926e0"
        },
        // NIST SP 800-38C appendix C, example 1 (4-byte tag, 7-byte nonce)
        { AeadAlgorithm.AesCcm, "404142434445464748494a4b4c4d4e4f", "10111213141516", "0001020304050607", "20212223", "7162015b", "4dac255d" },
        // NIST SP 800-38C appendix C, example 2 (6-byte tag, 8-byte nonce, 16-byte AAD)
        {
            AeadAlgorithm.AesCcm, "404142434445464748494a4b4c4d4e4f", "1011121314151617", "000102030405060708090a0b0c0d0e0f",
            "202122232425262728292a2b2c2d2e2f", "d2a1f0e051ea5f62081a7792073d593d", "1fc64fbfaccd"
        },
        // Same, example 3 (8-byte tag, 12-byte nonce, 20-byte AAD)
        {
            AeadAlgorithm.AesCcm, "404142434445464748494a4b4c4d4e4f", "101112131415161718191a1b", "000102030405060708090a0b0c0d0e0f10111213",
            "202122232425262728292a2b2c2d2e2f3031323334353637", "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5", "484392fbc1b09951"
        },
        // RFC 8998 appendix A.1 (SM4-GCM)
        {
            AeadAlgorithm.Sm4Gcm, "0123456789abcdeffedcba9876543210", "00001234567800000000abcd", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbccccccccccccccccddddddddddddddddeeeeeeeeeeeeeeeeffffffffffffffffeeeeeeeeeeeeeeeeaaaaaaaaaaaaaaaa",
            "17f399f08c67d5ee19d0dc9969c4bb7d5fd46fd3756489069157b282bb200735d82710ca5c22f0ccfa7cbf93d496ac15a56834cbcf98c397b4024a2691233b8d",
            "83de3541e4c2b58177e065a9bf7b62ec"
        },
        // RFC 8439 section 2.8.2 (ChaCha20-Poly1305)
        {
            AeadAlgorithm.ChaCha20Poly1305, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647", "50515253c0c1c2c3c4c5c6c7",
            Convert.ToHexStringLower(Encoding.ASCII.GetBytes("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.")),
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116",
            "1ae10b594f09e26a7e902ecbd0600691"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void PublishedVectors(AeadAlgorithm algorithm, string key, string nonce, string aad, string plaintext, string ciphertext, string tag)
    {
        if (Unavailable(algorithm))
        {
            Assert.Equal(CompletionStatus.Unsupported, _sec.Aead(Opcode.AeadEncrypt, algorithm, Hex(key), Hex(nonce), Hex(aad), tag.Length / 2, Hex(plaintext)).Status);
            return;
        }

        SecResult sealedResult = _sec.Aead(Opcode.AeadEncrypt, algorithm, Hex(key), Hex(nonce), Hex(aad), tag.Length / 2, Hex(plaintext));
        Assert.Equal(ciphertext + tag, ToHex(Ok(sealedResult)));
        SecResult opened = _sec.Aead(Opcode.AeadDecrypt, algorithm, Hex(key), Hex(nonce), Hex(aad), tag.Length / 2, Hex(ciphertext + tag));
        Assert.Equal(plaintext, ToHex(Ok(opened)));
        Assert.Equal((uint)(ciphertext.Length + tag.Length) / 2, opened.Cqe.Consumed);
    }

    [Theory]
    [InlineData(AeadAlgorithm.AesGcm, 32, 12, 16)]
    [InlineData(AeadAlgorithm.AesCcm, 16, 12, 10)]
    [InlineData(AeadAlgorithm.Sm4Gcm, 16, 12, 12)]
    [InlineData(AeadAlgorithm.ChaCha20Poly1305, 32, 12, 16)]
    public void WrongTagAuthFailedAndNoPlaintextReleased(AeadAlgorithm algorithm, int keyLength, int nonceLength, int tagLength)
    {
        if (Unavailable(algorithm))
        {
            return;
        }

        byte[] key = RandomNumberGenerator.GetBytes(keyLength), nonce = RandomNumberGenerator.GetBytes(nonceLength), aad = RandomNumberGenerator.GetBytes(20);
        byte[] plain = RandomNumberGenerator.GetBytes(1000);
        byte[] sealedData = Ok(_sec.Aead(Opcode.AeadEncrypt, algorithm, key, nonce, aad, tagLength, plain));
        Assert.Equal(plain, Ok(_sec.Aead(Opcode.AeadDecrypt, algorithm, key, nonce, aad, tagLength, sealedData)));

        foreach (int flip in new[] { 0, 999, sealedData.Length - 1 }) // ciphertext first/last byte, tag
        {
            byte[] forged = (byte[])sealedData.Clone();
            forged[flip] ^= 1;
            SecResult result = _sec.Aead(Opcode.AeadDecrypt, algorithm, key, nonce, aad, tagLength, forged);
            Assert.Equal(CompletionStatus.AuthFailed, result.Status);
            Assert.Equal(0u, result.Cqe.Produced);
            Assert.All(result.Destination, b => Assert.Equal(0, b)); // zeros, not plaintext (the buffer started as 0xEE)
        }

        byte[] otherAad = (byte[])aad.Clone();
        otherAad[3] ^= 0x80;
        Assert.Equal(CompletionStatus.AuthFailed, _sec.Aead(Opcode.AeadDecrypt, algorithm, key, nonce, otherAad, tagLength, sealedData).Status);
    }

    [Fact]
    public void AesGcmLargeRequestMatchesTheRuntimeAndCachedKeysStaySeparate()
    {
        byte[] key1 = RandomNumberGenerator.GetBytes(32), key2 = RandomNumberGenerator.GetBytes(32), nonce = RandomNumberGenerator.GetBytes(12);
        byte[] plain = RandomNumberGenerator.GetBytes(1 << 20);
        foreach (byte[] key in new[] { key1, key2, key1 })
        {
            foreach (int tagLength in new[] { 16, 12 })
            {
                using var reference = new AesGcm(key, tagLength);
                byte[] expected = new byte[plain.Length + tagLength];
                reference.Encrypt(nonce, plain, expected.AsSpan(0, plain.Length), expected.AsSpan(plain.Length), null);
                Assert.Equal(expected, Ok(_sec.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesGcm, key, nonce, null, tagLength, plain)));
            }
        }
    }

    [Fact]
    public void SameKeyAndNonceTwiceIsTheClientsChoice()
    {
        // BouncyCastle's GCM refuses an instance's key and nonce twice for encryption; the device must not fault.
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12), plain = RandomNumberGenerator.GetBytes(33);
        byte[] first = Ok(_sec.Aead(Opcode.AeadEncrypt, AeadAlgorithm.Sm4Gcm, key, nonce, null, 16, plain));
        Assert.Equal(first, Ok(_sec.Aead(Opcode.AeadEncrypt, AeadAlgorithm.Sm4Gcm, key, nonce, null, 16, plain)));
    }

    [Fact]
    public void OutputTooSmallOutOfSpace()
    {
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12), plain = RandomNumberGenerator.GetBytes(40);
        SecResult result = _sec.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesGcm, key, nonce, null, 16, plain, dstLength: 55);
        Assert.Equal(CompletionStatus.OutOfSpace, result.Status);
        Assert.Equal(0u, result.Cqe.Produced);
    }

    private static bool Unavailable(AeadAlgorithm algorithm) => algorithm switch
    {
        AeadAlgorithm.AesGcm => !AesGcm.IsSupported,
        AeadAlgorithm.AesCcm => !AesCcm.IsSupported,
        AeadAlgorithm.ChaCha20Poly1305 => !ChaCha20Poly1305.IsSupported,
        _ => false,
    };
}
