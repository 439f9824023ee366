using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi;
using WarpDrive.Devices;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Sec;

/// <summary>Every SEC operation with a message of zero bytes, through the real embedded device on the runtime's
/// OpenSSL: the right output (or the BAD_REQUEST the ABI asks for), never INTERNAL_ERROR, and no failure counted by the
/// device (issue 19: AES-CCM of an empty plaintext failed inside OpenSSL before 3.0.22).</summary>
public sealed class SecZeroLengthTests : IDisposable
{
    private readonly SecHarness _sec = new();

    public void Dispose()
    {
        // Whatever the test did, the device neither faulted nor failed a request.
        DeviceHost host = _sec.Runtime.FindEmbeddedHost("sec-0")!;
        Assert.Equal(0, host.FaultCount);
        Assert.Equal(0, host.RequestFailureCount);
        _sec.Dispose();
    }

    public static TheoryData<CipherAlgorithm, int, int, bool> Ciphers() => new()
    {
        // algorithm, key bytes, IV bytes, whether an empty source is valid (XTS needs a block)
        { CipherAlgorithm.AesEcb, 16, 0, true },
        { CipherAlgorithm.AesCbc, 24, 16, true },
        { CipherAlgorithm.AesCtr, 32, 16, true },
        { CipherAlgorithm.AesXts, 32, 16, false },
        { CipherAlgorithm.AesOfb, 16, 16, true },
        { CipherAlgorithm.AesCfb, 16, 16, true },
        { CipherAlgorithm.Sm4Ecb, 16, 0, true },
        { CipherAlgorithm.Sm4Cbc, 16, 16, true },
        { CipherAlgorithm.Sm4Ctr, 16, 16, true },
        { CipherAlgorithm.Sm4Xts, 32, 16, false },
        { CipherAlgorithm.TripleDesEcb, 24, 0, true },
        { CipherAlgorithm.TripleDesCbc, 24, 8, true },
    };

    [Theory]
    [MemberData(nameof(Ciphers))]
    public void Cipher(CipherAlgorithm algorithm, int keyLength, int ivLength, bool valid)
    {
        byte[] key = RandomNumberGenerator.GetBytes(keyLength);
        byte[]? iv = ivLength == 0 ? null : RandomNumberGenerator.GetBytes(ivLength);
        CompletionStatus expected = valid ? CompletionStatus.Ok : CompletionStatus.BadRequest;
        foreach (Opcode opcode in new[] { Opcode.CipherEncrypt, Opcode.CipherDecrypt })
        {
            // An empty buffer at a valid address, with a destination of 16 bytes that must stay untouched.
            SecResult placed = _sec.Cipher(opcode, algorithm, key, iv, [], dstLength: 16);
            Assert.Equal(expected, placed.Status);
            Assert.Equal(0u, placed.Cqe.Produced);
            Assert.Equal(0u, placed.Cqe.Consumed);
            Assert.All(placed.Destination, b => Assert.Equal(0xEE, b));

            // No buffers at all: source and destination address 0, length 0; and an empty data list.
            Assert.Equal(expected, _sec.Submit(new Sqe { Opcode = opcode, Algorithm = (byte)algorithm, Params = Params(key, iv) }).Status);
            Assert.Equal(expected, _sec.Submit(new Sqe { Opcode = opcode, Algorithm = (byte)algorithm, Params = Params(key, iv), Flags = SqeFlags.SrcDataList }).Status);
        }
    }

    private ulong Params(byte[] key, byte[]? iv)
    {
        _sec.Reset();
        return _sec.Params(key, iv);
    }

    public static TheoryData<DigestAlgorithm, string> EmptyDigests() => new()
    {
        { DigestAlgorithm.Md5, "d41d8cd98f00b204e9800998ecf8427e" }, // RFC 1321 A.5
        { DigestAlgorithm.Sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709" }, // the FIPS 180 hashes of ""
        { DigestAlgorithm.Sha224, "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f" },
        { DigestAlgorithm.Sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { DigestAlgorithm.Sha384, "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b" },
        { DigestAlgorithm.Sha512, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
        { DigestAlgorithm.Sha3_256, "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a" }, // FIPS 202 examples
        { DigestAlgorithm.Sha3_512, "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26" },
        { DigestAlgorithm.Sm3, "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b" },
    };

    private static bool Sha3Missing(DigestAlgorithm algorithm) => algorithm is DigestAlgorithm.Sha3_256 or DigestAlgorithm.Sha3_512 && !SHA3_256.IsSupported;

    [Theory]
    [MemberData(nameof(EmptyDigests))]
    public void HashOfNothing(DigestAlgorithm algorithm, string expected)
    {
        if (Sha3Missing(algorithm))
        {
            Assert.Equal(CompletionStatus.Unsupported, _sec.Digest(algorithm, DigestMode.Hash, null, []).Status);
            return;
        }

        Assert.Equal(expected, ToHex(Ok(_sec.Digest(algorithm, DigestMode.Hash, null, []))));
        Assert.Equal(expected, ToHex(Streamed(algorithm, DigestMode.Hash, null, pieces: 1)));
        Assert.Equal(expected, ToHex(Streamed(algorithm, DigestMode.Hash, null, pieces: 3)));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Md5)]
    [InlineData(DigestAlgorithm.Sha1)]
    [InlineData(DigestAlgorithm.Sha224)]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha384)]
    [InlineData(DigestAlgorithm.Sha512)]
    [InlineData(DigestAlgorithm.Sha3_256)]
    [InlineData(DigestAlgorithm.Sha3_512)]
    [InlineData(DigestAlgorithm.Sm3)]
    public void HmacOfNothing(DigestAlgorithm algorithm)
    {
        if (Sha3Missing(algorithm))
        {
            return;
        }

        foreach (byte[] key in new byte[][] { "key"u8.ToArray(), [] })
        {
            string expected = ToHex(ReferenceHmac(algorithm, key));
            Assert.Equal(expected, ToHex(Ok(_sec.Digest(algorithm, DigestMode.Hmac, key, []))));
            Assert.Equal(expected, ToHex(Streamed(algorithm, DigestMode.Hmac, key, pieces: 1)));
            Assert.Equal(expected, ToHex(Streamed(algorithm, DigestMode.Hmac, key, pieces: 3)));
        }
    }

    [Fact]
    public void CmacOfNothing()
    {
        // RFC 4493 section 4, example 1 (Mlen = 0).
        byte[] key = Hex("2b7e151628aed2a6abf7158809cf4f3c");
        const string expected = "bb1d6929e95937287fa37d129b756746";
        Assert.Equal(expected, ToHex(Ok(_sec.Digest(DigestAlgorithm.AesCmac, DigestMode.Hash, key, []))));
        Assert.Equal(expected, ToHex(Streamed(DigestAlgorithm.AesCmac, DigestMode.Hash, key, pieces: 1)));
        Assert.Equal(expected, ToHex(Streamed(DigestAlgorithm.AesCmac, DigestMode.Hash, key, pieces: 3)));
    }

    private static byte[] ReferenceHmac(DigestAlgorithm algorithm, byte[] key)
    {
        switch (algorithm)
        {
#pragma warning disable CA5350, CA5351 // the reference the device is checked against
            case DigestAlgorithm.Md5: return HMACMD5.HashData(key, ReadOnlySpan<byte>.Empty);
            case DigestAlgorithm.Sha1: return HMACSHA1.HashData(key, ReadOnlySpan<byte>.Empty);
#pragma warning restore CA5350, CA5351
            case DigestAlgorithm.Sha256: return HMACSHA256.HashData(key, ReadOnlySpan<byte>.Empty);
            case DigestAlgorithm.Sha384: return HMACSHA384.HashData(key, ReadOnlySpan<byte>.Empty);
            case DigestAlgorithm.Sha512: return HMACSHA512.HashData(key, ReadOnlySpan<byte>.Empty);
            case DigestAlgorithm.Sha3_256: return HMACSHA3_256.HashData(key, ReadOnlySpan<byte>.Empty);
            case DigestAlgorithm.Sha3_512: return HMACSHA3_512.HashData(key, ReadOnlySpan<byte>.Empty);
            default:
                // SHA-224 and SM3 are not in the runtime: BouncyCastle's HMAC.
                var hmac = new HMac(algorithm == DigestAlgorithm.Sm3 ? new SM3Digest() : new Sha224Digest());
                hmac.Init(new KeyParameter(key));
                byte[] mac = new byte[hmac.GetMacSize()];
                hmac.DoFinal(mac, 0);
                return mac;
        }
    }

    /// <summary>The digest of nothing fed as a stream of <paramref name="pieces"/> empty pieces (1: one piece that is
    /// both first and last).</summary>
    private byte[] Streamed(DigestAlgorithm algorithm, DigestMode mode, byte[]? key, int pieces)
    {
        _sec.Reset();
        ulong parameters = key is null ? 0 : _sec.Params(key);
        SecResult result = null!;
        for (int piece = 0; piece < pieces; piece++)
        {
            SqeFlags flags = SqeFlags.Stream | (piece == 0 ? SqeFlags.NewStream : 0) | (piece == pieces - 1 ? SqeFlags.Last : 0);
            result = _sec.Run(new Sqe
            {
                Opcode = Opcode.Digest, Algorithm = (byte)algorithm, Mode = (byte)mode, Flags = flags, StreamId = 3,
                Params = piece == 0 ? parameters : 0,
            }, 64);
            Assert.Equal(CompletionStatus.Ok, result.Status);
            Assert.Equal(0u, result.Cqe.Consumed);
        }

        return Ok(result);
    }

    [Theory]
    [InlineData(AeadAlgorithm.AesGcm, 16, 12, 16)]
    [InlineData(AeadAlgorithm.AesGcm, 32, 12, 12)]
    [InlineData(AeadAlgorithm.AesCcm, 16, 12, 16)]
    [InlineData(AeadAlgorithm.AesCcm, 24, 7, 4)]
    [InlineData(AeadAlgorithm.AesCcm, 32, 13, 10)]
    [InlineData(AeadAlgorithm.Sm4Gcm, 16, 12, 16)]
    [InlineData(AeadAlgorithm.ChaCha20Poly1305, 32, 12, 16)]
    public void AeadOfNothing(AeadAlgorithm algorithm, int keyLength, int nonceLength, int tagLength)
    {
        if (algorithm == AeadAlgorithm.ChaCha20Poly1305 && !ChaCha20Poly1305.IsSupported)
        {
            return;
        }

        byte[] key = RandomNumberGenerator.GetBytes(keyLength), nonce = RandomNumberGenerator.GetBytes(nonceLength);
        foreach (byte[]? aad in new byte[]?[] { null, [], RandomNumberGenerator.GetBytes(21) })
        {
            // Encryption of nothing is the tag alone, as the reference computes it.
            SecResult sealedResult = _sec.Aead(Opcode.AeadEncrypt, algorithm, key, nonce, aad, tagLength, []);
            byte[] tag = Ok(sealedResult);
            Assert.Equal(tagLength, tag.Length);
            Assert.Equal(0u, sealedResult.Cqe.Consumed);
            byte[]? expected = ReferenceTag(algorithm, key, nonce, aad ?? [], tagLength);
            if (expected is not null)
            {
                Assert.Equal(ToHex(expected), ToHex(tag));
            }

            // Decryption of the tag alone gives nothing back; a tag with one bit flipped fails.
            SecResult opened = _sec.Aead(Opcode.AeadDecrypt, algorithm, key, nonce, aad, tagLength, tag);
            Assert.Equal(CompletionStatus.Ok, opened.Status);
            Assert.Equal(0u, opened.Cqe.Produced);
            Assert.Equal((uint)tagLength, opened.Cqe.Consumed);
            tag[^1] ^= 1;
            Assert.Equal(CompletionStatus.AuthFailed, _sec.Aead(Opcode.AeadDecrypt, algorithm, key, nonce, aad, tagLength, tag).Status);
        }

        // Decryption of less than a tag is malformed.
        Assert.Equal(CompletionStatus.BadRequest, _sec.Aead(Opcode.AeadDecrypt, algorithm, key, nonce, null, tagLength, []).Status);
    }

    /// <summary>The tag of an empty message from the runtime (its byte-array overloads, which never hand OpenSSL a null
    /// buffer); null for SM4-GCM, which the runtime lacks.</summary>
    private static byte[]? ReferenceTag(AeadAlgorithm algorithm, byte[] key, byte[] nonce, byte[] aad, int tagLength)
    {
        byte[] tag = new byte[tagLength];
        byte[] none = [];
        switch (algorithm)
        {
            case AeadAlgorithm.AesGcm:
                using (var gcm = new AesGcm(key, tagLength))
                {
                    gcm.Encrypt(nonce, none, none, tag, aad);
                }

                return tag;
            case AeadAlgorithm.AesCcm:
                using (var ccm = new AesCcm(key))
                {
                    ccm.Encrypt(nonce, none, none, tag, aad);
                }

                return tag;
            case AeadAlgorithm.ChaCha20Poly1305:
                using (var chacha = new ChaCha20Poly1305(key))
                {
                    chacha.Encrypt(nonce, none, none, tag, aad);
                }

                return tag;
            default:
                return null;
        }
    }
}
