using WarpDrive.Abi;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>Finite-field Diffie-Hellman (<see cref="Opcode.DhCompute"/>): <c>Dst</c> = <c>Src</c>^x mod p with the
/// private exponent x in <c>Key</c> and the prime p in <c>Aux</c>, on BouncyCastle's modular exponentiation.</summary>
internal static class HpreDh
{
    /// <summary>Smallest and largest prime p, in bits.</summary>
    public const int MinPrimeBits = 768, MaxPrimeBits = 4096;

    public static CompletionStatus Compute(in HpreRequest request, out int produced)
    {
        produced = 0;
        Sqe sqe = request.Sqe;
        CryptoParams p = request.Params;
        if (sqe.Algorithm != 0 || sqe.Mode != 0 || sqe.Hash != 0 || !request.AadUnused
            || p.AuxLen is < MinPrimeBits / 8 or > MaxPrimeBits / 8 || p.KeyLen == 0 || p.KeyLen > p.AuxLen
            || sqe.SrcLen == 0 || sqe.SrcLen > p.AuxLen)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapAux(out ReadOnlySpan<byte> primeBytes);
        if (status == CompletionStatus.Ok)
        {
            status = request.MapKey(out ReadOnlySpan<byte> exponentBytes);
            if (status == CompletionStatus.Ok)
            {
                status = request.MapSource(out ReadOnlySpan<byte> baseBytes);
                if (status == CompletionStatus.Ok)
                {
                    status = Compute(request, primeBytes, exponentBytes, baseBytes, out produced);
                }
            }
        }

        return status;
    }

    private static CompletionStatus Compute(in HpreRequest request, ReadOnlySpan<byte> primeBytes, ReadOnlySpan<byte> exponentBytes,
        ReadOnlySpan<byte> baseBytes, out int produced)
    {
        produced = 0;
        // p: its length is the output length, so no leading zero byte; odd; at least 768 bits.
        var prime = new BcBigInteger(1, primeBytes);
        if (primeBytes[0] == 0 || !prime.TestBit(0) || prime.BitLength < MinPrimeBits)
        {
            return CompletionStatus.BadRequest;
        }

        var exponent = new BcBigInteger(1, exponentBytes);
        var value = new BcBigInteger(1, baseBytes);
        if (exponent.SignValue == 0 || value.CompareTo(BcBigInteger.One) <= 0 || value.CompareTo(prime.Subtract(BcBigInteger.One)) >= 0)
        {
            return CompletionStatus.BadRequest; // x = 0, or a base of 0, 1, p-1 or beyond
        }

        int length = primeBytes.Length;
        CompletionStatus status = request.MapDestination(length, out Span<byte> destination);
        if (status == CompletionStatus.Ok)
        {
            HpreBytes.WriteFixed(value.ModPow(exponent, prime), destination[..length]);
            produced = length;
        }

        return status;
    }
}
