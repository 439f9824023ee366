using System.Security.Cryptography;
using System.Text;
using WarpDrive.Abi;
using static WarpDrive.Tests.Sec.SecHarness;

namespace WarpDrive.Tests.Sec;

/// <summary>Digest requests through a real in-process SEC device: published hash and MAC vectors, stream mode, data lists.</summary>
public sealed class SecDigestTests : IDisposable
{
    private readonly SecHarness _sec = new();

    public void Dispose() => _sec.Dispose();

    public static TheoryData<DigestAlgorithm, string> AbcVectors() => new()
    {
        { DigestAlgorithm.Md5, "900150983cd24fb0d6963f7d28e17f72" }, // RFC 1321 A.5
        { DigestAlgorithm.Sha1, "a9993e364706816aba3e25717850c26c9cd0d89d" }, // FIPS 180 examples
        { DigestAlgorithm.Sha224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
        { DigestAlgorithm.Sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { DigestAlgorithm.Sha384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
        { DigestAlgorithm.Sha512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
        { DigestAlgorithm.Sha3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532" }, // FIPS 202 examples
        { DigestAlgorithm.Sha3_512, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0" },
        { DigestAlgorithm.Sm3, "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" }, // GB/T 32905 example 1
    };

    [Theory]
    [MemberData(nameof(AbcVectors))]
    public void Abc(DigestAlgorithm algorithm, string expected)
    {
        SecResult result = _sec.Digest(algorithm, DigestMode.Hash, null, "abc"u8.ToArray());
        if (algorithm is DigestAlgorithm.Sha3_256 or DigestAlgorithm.Sha3_512 && !SHA3_256.IsSupported)
        {
            Assert.Equal(CompletionStatus.Unsupported, result.Status);
            return;
        }

        Assert.Equal(expected, ToHex(Ok(result)));
        Assert.Equal(expected.Length / 2, (int)result.Cqe.Produced);
        Assert.All(result.Destination[(expected.Length / 2)..], b => Assert.Equal(0xEE, b)); // nothing beyond the digest
    }

    public static TheoryData<DigestAlgorithm, string, string, string> HmacVectors() => new()
    {
        // RFC 4231 test case 1
        { DigestAlgorithm.Sha256, new string('0', 0) + "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
        { DigestAlgorithm.Sha512, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "Hi There", "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" },
        // RFC 4231 test case 2
        { DigestAlgorithm.Sha256, "4a656665", "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
        { DigestAlgorithm.Sha512, "4a656665", "what do ya want for nothing?", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
        // RFC 4231 test case 6: a 131-byte key, longer than the block
        { DigestAlgorithm.Sha256, new string('a', 262), "Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
    };

    [Theory]
    [MemberData(nameof(HmacVectors))]
    public void Rfc4231Hmac(DigestAlgorithm algorithm, string key, string data, string expected)
    {
        Assert.Equal(expected, ToHex(Ok(_sec.Digest(algorithm, DigestMode.Hmac, Hex(key), Encoding.ASCII.GetBytes(data)))));
    }

    [Fact]
    public void HmacSm3AndSha224MatchTheConstruction()
    {
        // HMAC over the BouncyCastle hashes, checked against RFC 2104 built from the device's own plain hashes.
        byte[] key = RandomNumberGenerator.GetBytes(20), message = RandomNumberGenerator.GetBytes(300);
        foreach (DigestAlgorithm algorithm in new[] { DigestAlgorithm.Sm3, DigestAlgorithm.Sha224 })
        {
            byte[] inner = new byte[64 + message.Length], outer = new byte[64 + (algorithm == DigestAlgorithm.Sm3 ? 32 : 28)];
            for (int i = 0; i < 64; i++)
            {
                byte k = i < key.Length ? key[i] : (byte)0;
                inner[i] = (byte)(k ^ 0x36);
                outer[i] = (byte)(k ^ 0x5c);
            }

            message.CopyTo(inner, 64);
            Ok(_sec.Digest(algorithm, DigestMode.Hash, null, inner)).CopyTo(outer, 64);
            byte[] expected = Ok(_sec.Digest(algorithm, DigestMode.Hash, null, outer));
            Assert.Equal(expected, Ok(_sec.Digest(algorithm, DigestMode.Hmac, key, message)));
        }
    }

    public static TheoryData<int, string> CmacVectors() => new()
    {
        // RFC 4493 section 4, key 2b7e1516 28aed2a6 abf71588 09cf4f3c, messages from SP 800-38A's plaintext
        { 0, "bb1d6929e95937287fa37d129b756746" },
        { 16, "070a16b46b4d4144f79bdd9dd04a287c" },
        { 40, "dfa66747de9ae63030ca32611497c827" },
        { 64, "51f0bebf7e3b9d92fc49741779363cfe" },
    };

    [Theory]
    [MemberData(nameof(CmacVectors))]
    public void Rfc4493AesCmac(int length, string expected)
    {
        byte[] message = Hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710")[..length];
        Assert.Equal(expected, ToHex(Ok(_sec.Digest(DigestAlgorithm.AesCmac, DigestMode.Hash, Hex("2b7e151628aed2a6abf7158809cf4f3c"), message))));
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256, DigestMode.Hash)]
    [InlineData(DigestAlgorithm.Sm3, DigestMode.Hash)]
    [InlineData(DigestAlgorithm.Sha512, DigestMode.Hmac)]
    [InlineData(DigestAlgorithm.Sm3, DigestMode.Hmac)]
    [InlineData(DigestAlgorithm.AesCmac, DigestMode.Hash)]
    public void StreamThreePiecesEqualTheOneShot(DigestAlgorithm algorithm, DigestMode mode)
    {
        byte[] message = RandomNumberGenerator.GetBytes(1_000_003);
        byte[]? key = mode == DigestMode.Hmac ? RandomNumberGenerator.GetBytes(77) : algorithm == DigestAlgorithm.AesCmac ? RandomNumberGenerator.GetBytes(32) : null;
        byte[] oneShot = Ok(_sec.Digest(algorithm, mode, key, message));

        const uint stream = 5;
        int[] cuts = [0, 333_333, 700_001, message.Length];
        _sec.Reset();
        ulong src = _sec.Put(message);
        byte[] streamed = [];
        for (int piece = 0; piece < 3; piece++)
        {
            SqeFlags flags = SqeFlags.Stream | (piece == 0 ? SqeFlags.NewStream : 0) | (piece == 2 ? SqeFlags.Last : 0);
            var sqe = new Sqe
            {
                Opcode = Opcode.Digest,
                Algorithm = (byte)algorithm,
                Mode = (byte)mode,
                Flags = flags,
                StreamId = stream,
                Params = piece == 0 && key is not null ? _sec.Params(key) : 0,
                Src = src + (ulong)cuts[piece],
                SrcLen = (uint)(cuts[piece + 1] - cuts[piece]),
            };
            SecResult result = _sec.Run(sqe, 64);
            Assert.Equal(CompletionStatus.Ok, result.Status);
            Assert.Equal((uint)(cuts[piece + 1] - cuts[piece]), result.Cqe.Consumed);
            if (piece < 2)
            {
                Assert.Equal(0u, result.Cqe.Produced); // middle pieces produce nothing
                Assert.All(result.Destination, b => Assert.Equal(0xEE, b));
            }
            else
            {
                streamed = result.Output;
            }
        }

        Assert.Equal(oneShot, streamed);

        // The final piece ended the stream: continuing it is a BAD_REQUEST.
        SecResult after = _sec.Run(new Sqe { Opcode = Opcode.Digest, Algorithm = (byte)algorithm, Mode = (byte)mode, Flags = SqeFlags.Stream, StreamId = stream, Src = src, SrcLen = 1 }, 64);
        Assert.Equal(CompletionStatus.BadRequest, after.Status);
    }

    [Fact]
    public void StreamReleaseFreesTheContextAndOtherStreamsAreIndependent()
    {
        _sec.Reset();
        ulong src = _sec.Put("abcabc"u8);
        Sqe Piece(uint id, SqeFlags flags, int offset, int length) => new()
        {
            Opcode = Opcode.Digest, Algorithm = (byte)DigestAlgorithm.Sha256, Flags = SqeFlags.Stream | flags, StreamId = id,
            Src = src + (ulong)offset, SrcLen = (uint)length,
        };

        Assert.Equal(CompletionStatus.Ok, _sec.Run(Piece(1, SqeFlags.NewStream, 0, 3), 0).Status);
        Assert.Equal(CompletionStatus.Ok, _sec.Run(Piece(2, SqeFlags.NewStream, 0, 1), 0).Status);
        Assert.Equal(CompletionStatus.Ok, _sec.Submit(new Sqe { Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = 1 }).Status);
        Assert.Equal(CompletionStatus.BadRequest, _sec.Run(Piece(1, SqeFlags.Last, 3, 0), 64).Status);

        // Stream 2 ("a" so far) is untouched; a too-small final buffer is OUT_OF_SPACE and keeps the stream.
        Assert.Equal(CompletionStatus.OutOfSpace, _sec.Run(Piece(2, SqeFlags.Last, 1, 2), 31).Status);
        SecResult done = _sec.Run(Piece(2, SqeFlags.Last, 1, 2), 32);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ToHex(Ok(done)));

        // A piece of another algorithm, or a stream id beyond max_streams, is refused.
        Assert.Equal(CompletionStatus.Ok, _sec.Run(Piece(3, SqeFlags.NewStream, 0, 1), 0).Status);
        Sqe other = Piece(3, SqeFlags.Last, 1, 1);
        other.Algorithm = (byte)DigestAlgorithm.Sha512;
        Assert.Equal(CompletionStatus.BadRequest, _sec.Run(other, 64).Status);
        Assert.Equal(CompletionStatus.BadRequest, _sec.Run(Piece(100_000, SqeFlags.NewStream, 0, 1), 64).Status);
    }

    [Fact]
    public unsafe void DataListEqualsContiguous()
    {
        byte[] message = RandomNumberGenerator.GetBytes(10_000);
        byte[] expected = SHA384.HashData(message);
        _sec.Reset();
        int[] cuts = [0, 1, 4097, 4097, 9000, 10_000]; // includes an empty segment
        var table = new DataListEntry[cuts.Length - 1];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = new DataListEntry { Address = _sec.Put(message.AsSpan(cuts[i], cuts[i + 1] - cuts[i])), Length = (uint)(cuts[i + 1] - cuts[i]) };
        }

        ulong tableAddress = _sec.Put(System.Runtime.InteropServices.MemoryMarshal.AsBytes(table.AsSpan()));
        var sqe = new Sqe { Opcode = Opcode.Digest, Algorithm = (byte)DigestAlgorithm.Sha384, Flags = SqeFlags.SrcDataList, Src = tableAddress, SrcLen = (uint)table.Length };
        Assert.Equal(expected, Ok(_sec.Run(sqe, 48)));
    }
}
