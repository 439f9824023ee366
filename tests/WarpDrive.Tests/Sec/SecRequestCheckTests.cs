using System.Runtime.InteropServices;
using System.Security.Cryptography;
using WarpDrive.Abi;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Sec;

/// <summary>What the SEC device does with malformed and hostile requests, and with data-list input.</summary>
public sealed class SecRequestCheckTests : IDisposable
{
    private static readonly byte[] s_key16 = RandomNumberGenerator.GetBytes(16);
    private static readonly byte[] s_iv16 = RandomNumberGenerator.GetBytes(16);
    private readonly SecHarness _sec = new();

    public void Dispose() => _sec.Dispose();

    [Theory]
    [InlineData(CipherAlgorithm.AesCbc, 15, 16, 32)] // key length
    [InlineData(CipherAlgorithm.AesXts, 48, 16, 32)] // XTS: two AES-128 or two AES-256 keys only
    [InlineData(CipherAlgorithm.Sm4Ecb, 32, 0, 32)]
    [InlineData(CipherAlgorithm.TripleDesCbc, 24, 16, 32)] // 3DES IV is 8 bytes
    [InlineData(CipherAlgorithm.AesCtr, 16, 12, 32)] // IV length
    [InlineData(CipherAlgorithm.AesEcb, 16, 16, 32)] // ECB takes no IV
    [InlineData(CipherAlgorithm.AesCbc, 16, 16, 33)] // no padding: whole blocks only
    [InlineData(CipherAlgorithm.TripleDesEcb, 24, 0, 12)]
    [InlineData(CipherAlgorithm.AesXts, 32, 16, 15)] // XTS needs a whole block
    [InlineData((CipherAlgorithm)0x16, 16, 16, 32)] // unknown algorithm
    [InlineData((CipherAlgorithm)0x00, 16, 16, 32)]
    public void CipherBadLengthsAndAlgorithms(CipherAlgorithm algorithm, int keyLength, int ivLength, int length)
    {
        SecResult result = _sec.Cipher(Opcode.CipherEncrypt, algorithm, new byte[keyLength].Select((_, i) => (byte)i).ToArray(),
            ivLength == 0 ? null : new byte[ivLength], new byte[length]);
        Assert.Equal(CompletionStatus.BadRequest, result.Status);
        Assert.Equal(0u, result.Cqe.Produced);
        Assert.All(result.Destination, b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void CipherWeakTripleDesKeyBadRequest()
    {
        byte[] key = Hex("0123456789abcdef0123456789abcdef456789abcdef0123"); // K1 = K2
        Assert.Equal(CompletionStatus.BadRequest, _sec.Cipher(Opcode.CipherEncrypt, CipherAlgorithm.TripleDesEcb, key, null, new byte[16]).Status);
    }

    [Theory]
    [InlineData(AeadAlgorithm.AesGcm, 16, 12, 11)] // tag below 12
    [InlineData(AeadAlgorithm.AesGcm, 16, 16, 16)] // nonce must be 12
    [InlineData(AeadAlgorithm.AesGcm, 20, 12, 16)] // key
    [InlineData(AeadAlgorithm.AesCcm, 16, 6, 8)] // nonce 7-13
    [InlineData(AeadAlgorithm.AesCcm, 16, 12, 7)] // odd tag
    [InlineData(AeadAlgorithm.Sm4Gcm, 32, 12, 16)]
    [InlineData(AeadAlgorithm.ChaCha20Poly1305, 32, 12, 12)] // Poly1305 tag is 16
    [InlineData((AeadAlgorithm)0, 16, 12, 16)]
    [InlineData((AeadAlgorithm)5, 16, 12, 16)]
    public void AeadBadLengthsAndAlgorithms(AeadAlgorithm algorithm, int keyLength, int nonceLength, int tagLength)
    {
        SecResult result = _sec.Aead(Opcode.AeadEncrypt, algorithm, new byte[keyLength], new byte[nonceLength], null, tagLength, new byte[20], dstLength: 64);
        Assert.Equal(CompletionStatus.BadRequest, result.Status);
    }

    [Fact]
    public void AeadCiphertextShorterThanTagBadRequest() =>
        Assert.Equal(CompletionStatus.BadRequest, _sec.Aead(Opcode.AeadDecrypt, AeadAlgorithm.AesGcm, s_key16, new byte[12], null, 16, new byte[15], dstLength: 16).Status);

    [Fact]
    public void AeadCcmMessageLongerThanItsLengthFieldAllowsBadRequest() =>
        Assert.Equal(CompletionStatus.BadRequest, _sec.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesCcm, s_key16, new byte[13], null, 16, new byte[65_536]).Status);

    [Theory]
    [InlineData((DigestAlgorithm)0, DigestMode.Hash)]
    [InlineData((DigestAlgorithm)10, DigestMode.Hash)]
    [InlineData(DigestAlgorithm.Sha256, (DigestMode)2)]
    [InlineData(DigestAlgorithm.AesCmac, DigestMode.Hmac)]
    public void DigestBadAlgorithmOrMode(DigestAlgorithm algorithm, DigestMode mode) =>
        Assert.Equal(CompletionStatus.BadRequest, _sec.Digest(algorithm, mode, mode == DigestMode.Hmac ? s_key16 : null, "abc"u8.ToArray()).Status);

    [Fact]
    public void DigestKeyRules()
    {
        Assert.Equal(CompletionStatus.BadRequest, _sec.Digest(DigestAlgorithm.Sha256, DigestMode.Hash, s_key16, "abc"u8.ToArray()).Status); // a hash takes no key
        Assert.Equal(CompletionStatus.BadRequest, _sec.Digest(DigestAlgorithm.AesCmac, DigestMode.Hash, new byte[15], "abc"u8.ToArray()).Status);
        Assert.Equal(CompletionStatus.BadRequest, _sec.Digest(DigestAlgorithm.AesCmac, DigestMode.Hash, null, "abc"u8.ToArray()).Status);
        Assert.Equal(CompletionStatus.OutOfSpace, _sec.Digest(DigestAlgorithm.Sha512, DigestMode.Hash, null, "abc"u8.ToArray(), dstLength: 63).Status);
        Assert.Equal(HMACSHA256.HashData([], "abc"u8), Ok(_sec.Digest(DigestAlgorithm.Sha256, DigestMode.Hmac, [], "abc"u8.ToArray()))); // empty HMAC key
    }

    [Fact]
    public void UnusedFieldsNonZeroBadRequest()
    {
        Sqe Good()
        {
            _sec.Reset();
            return new Sqe { Opcode = Opcode.CipherEncrypt, Algorithm = (byte)CipherAlgorithm.AesCtr, Params = _sec.Params(s_key16, s_iv16), Src = _sec.Put(new byte[16]), SrcLen = 16 };
        }

        Assert.Equal(CompletionStatus.Ok, _sec.Run(Good(), 16).Status);
        var mutations = new Action<Sqe[]>[]
        {
            s => s[0].Arg = 1,
            s => s[0].Mode = 1,
            s => s[0].Hash = 4,
            s => s[0].StreamId = 1,
            s => s[0].Flags = SqeFlags.Stream | SqeFlags.NewStream,
            s => s[0].Flags = SqeFlags.Flush,
            s => s[0].Opcode = (Opcode)0x25,
            s => s[0].Opcode = Opcode.Compress,
        };
        foreach (Action<Sqe[]> mutate in mutations)
        {
            Sqe[] box = [Good()];
            mutate(box);
            Assert.Equal(CompletionStatus.BadRequest, _sec.Run(box[0], 16).Status);
        }

        // Parameter block fields SEC does not use for a cipher: AAD, tag, aux, reserved.
        foreach (Action<Span<CryptoParams>> mutate in new Action<Span<CryptoParams>>[] { p => p[0].AadLen = 1, p => p[0].TagLen = 16, p => p[0].Aux = 8, p => p[0].Reserved0 = 1 })
        {
            Sqe sqe = Good();
            mutate(MemoryMarshal.Cast<byte, CryptoParams>(_sec.At(sqe.Params, CryptoParams.Size)));
            Assert.Equal(CompletionStatus.BadRequest, _sec.Run(sqe, 16).Status);
        }
    }

    [Fact]
    public void AddressOutsideSharedMemoryAddressFault()
    {
        byte[] outside = GC.AllocateArray<byte>(4096, pinned: true); // never shared with the queue
        ulong foreign = (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(outside, 0);
        Sqe Good()
        {
            _sec.Reset();
            return new Sqe { Opcode = Opcode.CipherEncrypt, Algorithm = (byte)CipherAlgorithm.AesCbc, Params = _sec.Params(s_key16, s_iv16), Src = _sec.Put(new byte[32]), SrcLen = 32 };
        }

        Sqe badSrc = Good();
        badSrc.Src = foreign;
        Assert.Equal(CompletionStatus.AddressFault, _sec.Run(badSrc, 32).Status);

        Sqe badParams = Good();
        badParams.Params = foreign;
        Assert.Equal(CompletionStatus.AddressFault, _sec.Run(badParams, 32).Status);

        Sqe badKey = Good();
        MemoryMarshal.Cast<byte, CryptoParams>(_sec.At(badKey.Params, CryptoParams.Size))[0].Key = foreign;
        Assert.Equal(CompletionStatus.AddressFault, _sec.Run(badKey, 32).Status);

        Sqe badDst = Good();
        badDst.Dst = foreign;
        badDst.DstLen = 32;
        Cqe cqe = _sec.Submit(badDst);
        Assert.Equal(CompletionStatus.AddressFault, cqe.Status);
        Assert.All(outside, b => Assert.Equal(0, b));

        Sqe straddling = Good(); // starts inside the arena, ends beyond it
        straddling.Src = (ulong)(_sec.Base + SecHarness.ArenaSize - 16);
        Assert.Equal(CompletionStatus.AddressFault, _sec.Run(straddling, 32).Status);

        // A data-list entry outside shared memory.
        _sec.Reset();
        var table = new[] { new DataListEntry { Address = _sec.Put(new byte[16]), Length = 16 }, new DataListEntry { Address = foreign, Length = 16 } };
        var listed = new Sqe
        {
            Opcode = Opcode.Digest, Algorithm = (byte)DigestAlgorithm.Sha256, Flags = SqeFlags.SrcDataList,
            Src = _sec.Put(MemoryMarshal.AsBytes(table.AsSpan())), SrcLen = 2,
        };
        Assert.Equal(CompletionStatus.AddressFault, _sec.Run(listed, 32).Status);
    }

    [Theory]
    [InlineData(Opcode.CipherEncrypt)]
    [InlineData(Opcode.AeadEncrypt)]
    public void DataListEqualsContiguous(Opcode opcode)
    {
        byte[] plain = RandomNumberGenerator.GetBytes(100_005);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] expected = opcode == Opcode.CipherEncrypt
            ? _sec.Encrypt(CipherAlgorithm.AesCtr, s_key16, s_iv16, plain)
            : Ok(_sec.Aead(opcode, AeadAlgorithm.AesGcm, s_key16, nonce, [1, 2, 3], 16, plain));

        _sec.Reset();
        int[] cuts = [0, 7, 7, 65_536, 100_005];
        var table = new DataListEntry[cuts.Length - 1];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = new DataListEntry { Address = _sec.Put(plain.AsSpan(cuts[i], cuts[i + 1] - cuts[i])), Length = (uint)(cuts[i + 1] - cuts[i]) };
        }

        var sqe = new Sqe
        {
            Opcode = opcode,
            Algorithm = opcode == Opcode.CipherEncrypt ? (byte)CipherAlgorithm.AesCtr : (byte)AeadAlgorithm.AesGcm,
            Flags = SqeFlags.SrcDataList,
            Params = opcode == Opcode.CipherEncrypt ? _sec.Params(s_key16, s_iv16) : _sec.Params(s_key16, nonce, [1, 2, 3], 16),
            Src = _sec.Put(MemoryMarshal.AsBytes(table.AsSpan())),
            SrcLen = (uint)table.Length,
        };
        Assert.Equal(expected, Ok(_sec.Run(sqe, expected.Length)));

        // A reserved field in an entry, or too many entries, is a BAD_REQUEST.
        MemoryMarshal.Cast<byte, DataListEntry>(_sec.At(sqe.Src, table.Length * DataListEntry.Size))[1].Reserved = 1;
        Assert.Equal(CompletionStatus.BadRequest, _sec.Run(sqe, expected.Length).Status);
        sqe.SrcLen = DataListEntry.MaxEntries + 1;
        Assert.Equal(CompletionStatus.BadRequest, _sec.Run(sqe, expected.Length).Status);
    }

    [Fact]
    public void InPlaceSourceEqualsDestination()
    {
        byte[] plain = RandomNumberGenerator.GetBytes(4096 + 5);
        byte[] key = [.. s_key16, .. s_iv16]; // two AES-128 keys
        byte[] expected = _sec.Encrypt(CipherAlgorithm.AesXts, key, s_iv16, plain);
        _sec.Reset();
        ulong buffer = _sec.Put(plain);
        var sqe = new Sqe
        {
            Opcode = Opcode.CipherEncrypt, Algorithm = (byte)CipherAlgorithm.AesXts, Params = _sec.Params(key, s_iv16),
            Src = buffer, SrcLen = (uint)plain.Length, Dst = buffer, DstLen = (uint)plain.Length,
        };
        Cqe cqe = _sec.Submit(sqe);
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal(expected, _sec.At(buffer, plain.Length).ToArray());
    }

    [Fact]
    public void CipherOutputTooSmallOutOfSpace()
    {
        SecResult result = _sec.Cipher(Opcode.CipherEncrypt, CipherAlgorithm.AesCtr, s_key16, s_iv16, new byte[100], dstLength: 99);
        Assert.Equal(CompletionStatus.OutOfSpace, result.Status);
        Assert.All(result.Destination, b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public void StreamReleaseChecks()
    {
        Assert.Equal(CompletionStatus.BadRequest, _sec.Submit(new Sqe { Opcode = Opcode.StreamRelease, StreamId = 0 }).Status); // no STREAM flag
        Assert.Equal(CompletionStatus.BadRequest, _sec.Submit(new Sqe { Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = 1u << 20 }).Status);
        Assert.Equal(CompletionStatus.Ok, _sec.Submit(new Sqe { Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = 3 }).Status); // nothing to free
    }
}
