using System.Numerics;
using Org.BouncyCastle.Crypto.Agreement;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Hpre;

/// <summary>Finite-field Diffie-Hellman through a real in-process HPRE device.</summary>
public sealed class HpreDhTests : IDisposable
{
    // RFC 3526 section 3: the 2048-bit MODP group (group 14), generator 2. Taken from BouncyCastle's copy of the RFC's
    // table; the checks below pin its well-known shape (2048 bits, 64 leading and trailing one bits).
    private static readonly byte[] s_group14 = DHStandardGroups.rfc3526_2048.P.ToByteArrayUnsigned();

    private readonly HpreQueue _q = new();

    public void Dispose() => _q.Dispose();

    private HpreResult Dh(byte[] x, byte[] value, byte[]? prime = null, int? dstLen = null) => _q.Run(new HpreCall
    {
        Opcode = Opcode.DhCompute, Key = x, Aux = prime ?? s_group14, Src = value, DstLen = dstLen ?? (prime ?? s_group14).Length,
    });

    [Fact]
    public void Group14PrimeHasItsPublishedShape()
    {
        Assert.Equal(256, s_group14.Length);
        Assert.All(s_group14[..8], b => Assert.Equal(0xFF, b));
        Assert.All(s_group14[^8..], b => Assert.Equal(0xFF, b));
        Assert.Equal(Convert.FromHexString("C90FDAA22168C234"), s_group14[8..16]); // pi's bits follow
    }

    [Fact]
    public void SmallKnownAnswers()
    {
        // 2^10 mod p = 1024, left-padded to the prime's length.
        HpreResult r = Dh([10], [2]);
        Assert.Equal(CompletionStatus.Ok, r.Status);
        Assert.Equal(256u, r.Cqe.Produced);
        byte[] expected = new byte[256];
        expected[^2] = 0x04;
        Assert.Equal(expected, r.Output);

        // 2^2048 mod p, against System.Numerics.
        var p = new BigInteger(s_group14, isUnsigned: true, isBigEndian: true);
        byte[] want = BigInteger.ModPow(2, 2048, p).ToByteArray(isUnsigned: true, isBigEndian: true);
        HpreResult big = Dh([0x08, 0x00], [2]);
        Assert.Equal(want, big.Output.AsSpan().TrimStart((byte)0).ToArray());
    }

    [Fact]
    public void TwoPartiesDeriveTheSameSecret()
    {
        byte[] a = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        byte[] b = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        a[0] |= 0x80;
        b[0] |= 0x80;

        HpreResult ya = Dh(a, [2]);
        HpreResult yb = Dh(b, [2]);
        Assert.Equal(CompletionStatus.Ok, ya.Status);
        Assert.NotEqual(ya.Output, yb.Output);

        HpreResult sa = Dh(a, yb.Output);
        HpreResult sb = Dh(b, ya.Output);
        Assert.Equal(CompletionStatus.Ok, sa.Status);
        Assert.Equal(sa.Output, sb.Output);

        var p = new BigInteger(s_group14, isUnsigned: true, isBigEndian: true);
        BigInteger expected = BigInteger.ModPow(
            BigInteger.ModPow(2, new BigInteger(a, isUnsigned: true, isBigEndian: true), p), new BigInteger(b, isUnsigned: true, isBigEndian: true), p);
        Assert.Equal(expected, new BigInteger(sa.Output, isUnsigned: true, isBigEndian: true));
    }

    [Fact]
    public void BadInputs()
    {
        byte[] pMinus1 = s_group14.ToArray();
        pMinus1[^1] -= 1;
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], [1]).Status); // base 1
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], [0]).Status); // base 0
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], pMinus1).Status); // base p-1
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], s_group14).Status); // base p
        Assert.Equal(CompletionStatus.BadRequest, Dh([0], [2]).Status); // x = 0
        byte[] even = s_group14.ToArray();
        even[^1] = 0xFE;
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], [2], even).Status); // even modulus
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], [2], s_group14[..64]).Status); // 512 bits: too small
        Assert.Equal(CompletionStatus.BadRequest, Dh([5], [2], [0, .. s_group14[1..]]).Status); // leading zero byte
        Assert.Equal(CompletionStatus.OutOfSpace, Dh([5], [2], dstLen: 255).Status);
        Assert.Equal(CompletionStatus.BadRequest, _q.Run(new HpreCall
        {
            Opcode = Opcode.DhCompute, Mode = 1, Key = [5], Aux = s_group14, Src = [2], DstLen = 256,
        }).Status);
    }
}
