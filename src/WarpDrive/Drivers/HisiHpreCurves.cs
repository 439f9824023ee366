using System.Numerics;
using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Drivers;

/// <summary>The curves the HPRE engine computes on, in its operand format (UADK's <c>wd_ecc_curve.h</c>): each number
/// big-endian and padded to the operand size (32, 48 or 72 bytes: <c>get_hw_keysz</c>). The NIST curves' numbers come
/// from the runtime's explicit parameters; X25519's are RFC 7748's p = 2^255 - 19 and a = (486662 - 2) / 4.</summary>
internal sealed class HisiHpreCurves
{
    private static readonly HisiHpreCurves?[] s_curves = new HisiHpreCurves?[8];

    private readonly BigInteger _p, _a, _b;

    private HisiHpreCurves(EccCurve curve, int field, int operand, ReadOnlySpan<byte> p, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b,
        ReadOnlySpan<byte> n, ReadOnlySpan<byte> gx, ReadOnlySpan<byte> gy)
    {
        Curve = curve;
        FieldBytes = field;
        OperandBytes = operand;
        P = Pad(p, operand);
        A = Pad(a, operand);
        B = Pad(b, operand);
        N = Pad(n, operand);
        Gx = Pad(gx, operand);
        Gy = Pad(gy, operand);
        _p = new BigInteger(p, isUnsigned: true, isBigEndian: true);
        _a = new BigInteger(a, isUnsigned: true, isBigEndian: true);
        _b = new BigInteger(b, isUnsigned: true, isBigEndian: true);
    }

    public EccCurve Curve { get; }

    /// <summary>Bytes of a coordinate or private key as libwd's requests carry them.</summary>
    public int FieldBytes { get; }

    /// <summary>Bytes of each operand on the engine (<c>task_len1</c> + 1 words).</summary>
    public int OperandBytes { get; }

    public byte[] P { get; }

    public byte[] A { get; }

    public byte[] B { get; }

    /// <summary>The group order (X25519: none, zeros).</summary>
    public byte[] N { get; }

    public byte[] Gx { get; }

    public byte[] Gy { get; }

    /// <summary>The curve's numbers in the engine's format, or null for a curve it does not run here.</summary>
    public static HisiHpreCurves? Get(EccCurve curve)
    {
        if ((int)curve >= s_curves.Length || curve is not (EccCurve.P256 or EccCurve.P384 or EccCurve.P521 or EccCurve.X25519))
        {
            return null;
        }

        return Volatile.Read(ref s_curves[(int)curve]) ?? Create(curve);
    }

    private static HisiHpreCurves Create(EccCurve curve)
    {
        HisiHpreCurves made;
        if (curve == EccCurve.X25519)
        {
            byte[] p = new byte[32];
            p.AsSpan().Fill(0xff);
            p[0] = 0x7f;
            p[31] = 0xed;
            made = new HisiHpreCurves(curve, 32, 32, p, [0x01, 0xdb, 0x41], [], [], [9], []);
        }
        else
        {
            (ECCurve named, int field, int operand) = curve switch
            {
                EccCurve.P256 => (ECCurve.NamedCurves.nistP256, 32, 32),
                EccCurve.P384 => (ECCurve.NamedCurves.nistP384, 48, 48),
                _ => (ECCurve.NamedCurves.nistP521, 66, 72),
            };
            using var key = ECDsa.Create(named);
            ECParameters e = key.ExportExplicitParameters(includePrivateParameters: false);
            ECCurve c = e.Curve;
            made = new HisiHpreCurves(curve, field, operand, c.Prime, c.A, c.B, c.Order, c.G.X, c.G.Y);
        }

        Volatile.Write(ref s_curves[(int)curve], made);
        return made;
    }

    private static byte[] Pad(ReadOnlySpan<byte> value, int length)
    {
        byte[] padded = new byte[length];
        value.CopyTo(padded.AsSpan(length - value.Length));
        return padded;
    }

    /// <summary>Whether (x, y), each <see cref="FieldBytes"/> big-endian, is a point of this short Weierstrass curve:
    /// both below p and y² = x³ + ax + b mod p (what the engine does not check before it multiplies).</summary>
    public bool IsOnCurve(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        var bx = new BigInteger(x, isUnsigned: true, isBigEndian: true);
        var by = new BigInteger(y, isUnsigned: true, isBigEndian: true);
        if (bx >= _p || by >= _p)
        {
            return false;
        }

        BigInteger right = ((((bx * bx) + _a) * bx) + _b) % _p;
        return (by * by) % _p == right;
    }

    /// <summary>Whether <paramref name="scalar"/> (<see cref="FieldBytes"/> big-endian) lies in [1, n - 1].</summary>
    public bool IsPrivateKey(ReadOnlySpan<byte> scalar) =>
        scalar.ContainsAnyExcept((byte)0) && HisiHpreOperands.IsBelow(scalar, N.AsSpan(OperandBytes - FieldBytes));
}
