using System.Numerics;
using WarpDrive.Abi.Uacce;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiHpre;

/// <summary>Runs HPRE SQEs for one queue, reading and writing the operands the SQE names (SVA) as the engine does:
/// big-endian numbers, each (task_len1 + 1) × 8 bytes, at the key, input and output addresses, in UADK's layouts
/// (RSA e||n or d||n and dq||dp||q||p||qinv; DH x||p; ECC keys p, a, d, b, n, gx, gy or p, a, b, n, gx, gy, x, y;
/// ECDSA inputs e||k and e||s||r). Computed here on System.Numerics big integers: modular exponentiation, CRT, affine
/// short-Weierstrass arithmetic and RFC 7748's Montgomery ladder. What the engine refuses gets a non-zero error type:
/// a task of the other queue type (<c>qc_type</c> 0 runs RSA and DH, 1 ECC) or one not modelled (key generation, SM2,
/// the number-theory tasks), an operand size the task lacks, a missing address, an even or zero modulus, an input not
/// below it, a point off its curve, a zero scalar or a signature component out of range.</summary>
internal sealed unsafe class HisiHpreExecutor(HisiHpreModel model, int qcType) : IHisiQmEngine
{
    /// <summary>The model's error type for an SQE the engine refuses (the hardware's codes are not public; drivers only
    /// test for non-zero, as UADK's <c>hpre_result_check</c> does).</summary>
    public const ushort ErrorBadTask = 0x1;

    /// <summary>The model's error type for a task whose memory or numbers it could not use.</summary>
    public const ushort ErrorModel = 0x7ff;

    public void Execute(byte* slot)
    {
        var entry = (HisiHpreSqe*)slot;
        HisiHpreSqe sqe = *entry; // the engine reads the SQE once
        ushort error;
        bool verified = false;
        try
        {
            model.Count(sqe.Algorithm);
            error = Run(in sqe, ref verified);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = ErrorModel; // the engine answers an SQE it cannot run; it does not die
        }

        if (model.ForcedErrorType != 0)
        {
            error = model.ForcedErrorType;
        }

        uint done = model.LeavesTaskUndone ? HisiHpreSqe.TaskInit : HisiHpreSqe.TaskDone;
        entry->Dw0 = (sqe.Dw0 & HisiHpreSqe.AlgorithmMask) | ((uint)(error & HisiHpreSqe.ErrorTypeMask) << HisiHpreSqe.ErrorTypeShift)
            | (done << HisiHpreSqe.DoneShift);
        if (sqe.Algorithm == HisiHpreAlgorithm.EcdsaVerify)
        {
            // The verification's result in the output address's low word (UADK's ecc_verf_out_transfer reads bit 1).
            entry->OutputAddress = (sqe.OutputAddress & ~HisiHpreSqe.VerifyPassed) | (verified && error == 0 ? HisiHpreSqe.VerifyPassed : 0);
        }

        entry->Tag = model.ForcedTag ?? sqe.Tag;
    }

    public void Dispose()
    {
    }

    private ushort Run(in HisiHpreSqe sqe, ref bool verified)
    {
        int h = sqe.OperandBytes;
        bool rsaDh = sqe.Algorithm is HisiHpreAlgorithm.RsaNoCrt or HisiHpreAlgorithm.RsaCrt or HisiHpreAlgorithm.Dh or HisiHpreAlgorithm.DhG2;
        if (sqe.Done != HisiHpreSqe.TaskInit || sqe.KeyAddress == 0 || (rsaDh ? qcType != 0 : qcType != 1))
        {
            return ErrorBadTask;
        }

        return sqe.Algorithm switch
        {
            HisiHpreAlgorithm.RsaNoCrt when h is >= 64 and <= 512 => RsaPlain(in sqe, h),
            HisiHpreAlgorithm.RsaCrt when h is >= 64 and <= 512 => RsaCrt(in sqe, h),
            HisiHpreAlgorithm.Dh or HisiHpreAlgorithm.DhG2 when h is >= 96 and <= 512 => Dh(in sqe, h),
            HisiHpreAlgorithm.EcdhMultiply when h is 32 or 48 or 72 => EcdhMultiply(in sqe, h),
            HisiHpreAlgorithm.XdhMultiply when h == 32 => X25519(in sqe),
            HisiHpreAlgorithm.EcdsaSign when h is 32 or 48 or 72 => EcdsaSign(in sqe, h),
            HisiHpreAlgorithm.EcdsaVerify when h is 32 or 48 or 72 => EcdsaVerify(in sqe, h, out verified),
            _ => ErrorBadTask,
        };
    }

    private static BigInteger Number(ulong address, int offset, int length) =>
        new(new ReadOnlySpan<byte>((byte*)address + offset, length), isUnsigned: true, isBigEndian: true);

    private static bool Write(BigInteger value, ulong address, int offset, int length)
    {
        if (address == 0 || value.Sign < 0)
        {
            return false;
        }

        var field = new Span<byte>((byte*)address + offset, length);
        field.Clear();
        int count = value.GetByteCount(isUnsigned: true);
        return count <= length && value.TryWriteBytes(field[(length - count)..], out _, isUnsigned: true, isBigEndian: true);
    }

    private static ushort RsaPlain(in HisiHpreSqe sqe, int k)
    {
        BigInteger exponent = Number(sqe.KeyAddress, 0, k), n = Number(sqe.KeyAddress, k, k);
        if (sqe.InputAddress == 0 || n.IsZero || n.IsEven || exponent.IsZero)
        {
            return ErrorBadTask;
        }

        BigInteger m = Number(sqe.InputAddress, 0, k);
        return m < n && Write(BigInteger.ModPow(m, exponent, n), sqe.OutputAddress, 0, k) ? (ushort)0 : ErrorBadTask;
    }

    private static ushort RsaCrt(in HisiHpreSqe sqe, int k)
    {
        int half = k / 2;
        BigInteger dq = Number(sqe.KeyAddress, 0, half), dp = Number(sqe.KeyAddress, half, half), q = Number(sqe.KeyAddress, 2 * half, half);
        BigInteger p = Number(sqe.KeyAddress, 3 * half, half), qinv = Number(sqe.KeyAddress, 4 * half, half);
        if (sqe.InputAddress == 0 || p <= 1 || q <= 1 || p.IsEven || q.IsEven)
        {
            return ErrorBadTask;
        }

        BigInteger c = Number(sqe.InputAddress, 0, k);
        if (c >= p * q)
        {
            return ErrorBadTask;
        }

        BigInteger m1 = BigInteger.ModPow(c % p, dp, p), m2 = BigInteger.ModPow(c % q, dq, q);
        BigInteger hq = Mod(qinv * (m1 - m2), p);
        return Write(m2 + (hq * q), sqe.OutputAddress, 0, k) ? (ushort)0 : ErrorBadTask;
    }

    private static ushort Dh(in HisiHpreSqe sqe, int k)
    {
        BigInteger x = Number(sqe.KeyAddress, 0, k), p = Number(sqe.KeyAddress, k, k);
        if (p.IsEven || p <= 3 || x.IsZero)
        {
            return ErrorBadTask;
        }

        BigInteger g;
        if (sqe.Algorithm == HisiHpreAlgorithm.DhG2)
        {
            g = 2; // the engine's own generator: no input
        }
        else if (sqe.InputAddress == 0)
        {
            return ErrorBadTask;
        }
        else
        {
            g = Number(sqe.InputAddress, 0, k);
        }

        return g < p && Write(BigInteger.ModPow(g, x, p), sqe.OutputAddress, 0, k) ? (ushort)0 : ErrorBadTask;
    }

    private static ushort EcdhMultiply(in HisiHpreSqe sqe, int h)
    {
        // Key: p, a, d, b, n (UADK's ECDH_HW_KEY_SZ, five operands); input and output x||y.
        var curve = new Curve(Number(sqe.KeyAddress, 0, h), Number(sqe.KeyAddress, h, h), Number(sqe.KeyAddress, 3 * h, h));
        BigInteger d = Number(sqe.KeyAddress, 2 * h, h), n = Number(sqe.KeyAddress, 4 * h, h);
        if (!curve.IsValid || sqe.InputAddress == 0 || d.IsZero || (!n.IsZero && d >= n))
        {
            return ErrorBadTask;
        }

        var point = new Point(Number(sqe.InputAddress, 0, h), Number(sqe.InputAddress, h, h));
        if (!curve.Contains(point) || curve.Multiply(d, point) is not { } product)
        {
            return ErrorBadTask;
        }

        return Write(product.X, sqe.OutputAddress, 0, h) && Write(product.Y, sqe.OutputAddress, h, h) ? (ushort)0 : ErrorBadTask;
    }

    private static ushort X25519(in HisiHpreSqe sqe)
    {
        // Key: p, a24, k (X_DH_HW_KEY_SZ, three operands); input and output u; all big-endian.
        BigInteger p = Number(sqe.KeyAddress, 0, 32), a24 = Number(sqe.KeyAddress, 32, 32), k = Number(sqe.KeyAddress, 64, 32);
        if (sqe.InputAddress == 0 || p.IsEven || k.IsZero)
        {
            return ErrorBadTask;
        }

        BigInteger u = Number(sqe.InputAddress, 0, 32);
        if (u.IsZero || u >= p)
        {
            return ErrorBadTask; // UADK's u_is_in_p refuses these before they reach the engine
        }

        return Write(Ladder(k, u, p, a24), sqe.OutputAddress, 0, 32) ? (ushort)0 : ErrorBadTask;
    }

    /// <summary>RFC 7748 section 5's Montgomery ladder over the scalar's 255 bits (the scalar taken as given).</summary>
    private static BigInteger Ladder(BigInteger k, BigInteger u, BigInteger p, BigInteger a24)
    {
        BigInteger x1 = u, x2 = 1, z2 = 0, x3 = u, z3 = 1;
        bool swap = false;
        for (int t = 254; t >= 0; t--)
        {
            bool bit = !(k >> t).IsEven;
            if (swap ^ bit)
            {
                (x2, x3) = (x3, x2);
                (z2, z3) = (z3, z2);
            }

            swap = bit;
            BigInteger a = x2 + z2, aa = a * a % p, b = Mod(x2 - z2, p), bb = b * b % p, e = Mod(aa - bb, p);
            BigInteger c = x3 + z3, d = Mod(x3 - z3, p), da = d * a % p, cb = c * b % p;
            x3 = BigInteger.ModPow(da + cb, 2, p);
            z3 = x1 * BigInteger.ModPow(Mod(da - cb, p), 2, p) % p;
            x2 = aa * bb % p;
            z2 = e * ((aa + (a24 * e)) % p) % p;
        }

        if (swap)
        {
            (x2, z2) = (x3, z3);
        }

        return x2 * BigInteger.ModPow(z2, p - 2, p) % p;
    }

    private static ushort EcdsaSign(in HisiHpreSqe sqe, int h)
    {
        // Key: p, a, d, b, n, gx, gy; input e||k; output r||s.
        var curve = new Curve(Number(sqe.KeyAddress, 0, h), Number(sqe.KeyAddress, h, h), Number(sqe.KeyAddress, 3 * h, h));
        BigInteger d = Number(sqe.KeyAddress, 2 * h, h), n = Number(sqe.KeyAddress, 4 * h, h);
        var g = new Point(Number(sqe.KeyAddress, 5 * h, h), Number(sqe.KeyAddress, 6 * h, h));
        if (!curve.IsValid || sqe.InputAddress == 0 || n <= 1 || d.IsZero || d >= n || !curve.Contains(g))
        {
            return ErrorBadTask;
        }

        BigInteger e = Number(sqe.InputAddress, 0, h), k = Number(sqe.InputAddress, h, h);
        if (e.IsZero || k.IsZero || k >= n || curve.Multiply(k, g) is not { } kg)
        {
            return ErrorBadTask;
        }

        BigInteger r = kg.X % n;
        BigInteger s = Mod(Inverse(k, n) * (e + (r * d)), n);
        if (r.IsZero || s.IsZero)
        {
            return ErrorBadTask; // the driver draws another nonce
        }

        return Write(r, sqe.OutputAddress, 0, h) && Write(s, sqe.OutputAddress, h, h) ? (ushort)0 : ErrorBadTask;
    }

    private static ushort EcdsaVerify(in HisiHpreSqe sqe, int h, out bool verified)
    {
        // Key: p, a, b, n, gx, gy, x, y; input e||s||r; the result in the SQE.
        verified = false;
        var curve = new Curve(Number(sqe.KeyAddress, 0, h), Number(sqe.KeyAddress, h, h), Number(sqe.KeyAddress, 2 * h, h));
        BigInteger n = Number(sqe.KeyAddress, 3 * h, h);
        var g = new Point(Number(sqe.KeyAddress, 4 * h, h), Number(sqe.KeyAddress, 5 * h, h));
        var q = new Point(Number(sqe.KeyAddress, 6 * h, h), Number(sqe.KeyAddress, 7 * h, h));
        if (!curve.IsValid || sqe.InputAddress == 0 || n <= 1 || !curve.Contains(g) || !curve.Contains(q))
        {
            return ErrorBadTask;
        }

        BigInteger e = Number(sqe.InputAddress, 0, h), s = Number(sqe.InputAddress, h, h), r = Number(sqe.InputAddress, 2 * h, h);
        if (e.IsZero)
        {
            return ErrorBadTask;
        }

        if (r.IsZero || s.IsZero || r >= n || s >= n)
        {
            return 0; // a signature that cannot hold: the task ran, the result bit stays clear
        }

        BigInteger w = Inverse(s, n);
        Point? x = curve.Add(curve.Multiply(Mod(e * w, n), g), curve.Multiply(r * w % n, q));
        verified = x is { } point && point.X % n == r;
        return 0;
    }

    private static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        BigInteger r = value % modulus;
        return r.Sign < 0 ? r + modulus : r;
    }

    private static BigInteger Inverse(BigInteger value, BigInteger modulus)
    {
        BigInteger r0 = modulus, r1 = Mod(value, modulus), t0 = 0, t1 = 1;
        while (!r1.IsZero)
        {
            BigInteger quotient = r0 / r1;
            (r0, r1) = (r1, r0 - (quotient * r1));
            (t0, t1) = (t1, t0 - (quotient * t1));
        }

        return r0.IsOne ? Mod(t0, modulus) : throw new ArithmeticException("not invertible");
    }

    private readonly record struct Point(BigInteger X, BigInteger Y);

    /// <summary>y² = x³ + ax + b over the prime p, in affine coordinates (null is the point at infinity).</summary>
    private readonly record struct Curve(BigInteger P, BigInteger A, BigInteger B)
    {
        public bool IsValid => P > 3 && !P.IsEven && A < P && B < P;

        public bool Contains(Point q) => q.X < P && q.Y < P && Mod((q.Y * q.Y) - (((q.X * q.X) + A) * q.X) - B, P).IsZero;

        public Point? Add(Point? first, Point? second)
        {
            if (first is not { } a)
            {
                return second;
            }

            if (second is not { } b)
            {
                return first;
            }

            BigInteger lambda;
            if (a.X == b.X)
            {
                if (Mod(a.Y + b.Y, P).IsZero)
                {
                    return null;
                }

                lambda = Mod(((3 * a.X * a.X) + A) * Inverse(2 * a.Y, P), P);
            }
            else
            {
                lambda = Mod((b.Y - a.Y) * Inverse(b.X - a.X, P), P);
            }

            BigInteger x = Mod((lambda * lambda) - a.X - b.X, P);
            return new Point(x, Mod((lambda * (a.X - x)) - a.Y, P));
        }

        public Point? Multiply(BigInteger scalar, Point point)
        {
            Point? result = null;
            for (long bit = (long)scalar.GetBitLength() - 1; bit >= 0; bit--)
            {
                result = Add(result, result);
                if (!(scalar >> (int)bit).IsEven)
                {
                    result = Add(result, point);
                }
            }

            return result;
        }
    }
}
