using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>An RSA key blob (<see cref="RsaKeyHeader"/> + fixed-width big-endian integers) imported once per queue:
/// a CRT private key or a public key into the runtime's <see cref="RSA"/> (OpenSSL), a private key without the CRT
/// factors into BouncyCastle (its public part into the runtime for verification and encryption).</summary>
internal sealed class RsaKey : IDisposable
{
    private const int CacheKind = 1;

    private readonly byte[] _modulus;

    private RsaKey(RsaKeyFormat format, byte[] modulus, RSA system, RsaKeyParameters bcPublic, RsaKeyParameters? bcPrivate)
    {
        Format = format;
        _modulus = modulus;
        System = system;
        BcPublic = bcPublic;
        BcPrivate = bcPrivate;
    }

    public RsaKeyFormat Format { get; }

    /// <summary>k: the modulus size in bytes.</summary>
    public int ModulusBytes => _modulus.Length;

    public bool IsPrivate => Format != RsaKeyFormat.Public;

    /// <summary>The runtime's key: the whole private key for <see cref="RsaKeyFormat.PrivateCrt"/>, else the public part.</summary>
    public RSA System { get; }

    /// <summary>Whether <see cref="System"/> holds the private key.</summary>
    public bool SystemIsPrivate => Format == RsaKeyFormat.PrivateCrt;

    public RsaKeyParameters BcPublic { get; }

    /// <summary>The private key for BouncyCastle (CRT or not); null for a public key.</summary>
    public RsaKeyParameters? BcPrivate { get; }

    /// <summary>Whether <paramref name="value"/> (k bytes, big-endian) is below the modulus.</summary>
    public bool IsBelowModulus(ReadOnlySpan<byte> value) => value.Length == _modulus.Length && value.SequenceCompareTo(_modulus) < 0;

    /// <summary>Maps and checks the request's key blob and returns its imported key, from the queue's cache when the
    /// same blob was imported before.</summary>
    /// <returns>OK, ADDRESS_FAULT, or BAD_REQUEST (malformed or inconsistent blob).</returns>
    public static CompletionStatus Get(in HpreRequest request, out RsaKey? key)
    {
        key = null;
        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> blob);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (blob.Length < RsaKeyHeader.Size)
        {
            return CompletionStatus.BadRequest;
        }

        RsaKeyHeader header = MemoryMarshal.Read<RsaKeyHeader>(blob);
        if (header.Reserved != 0 || header.Format is < RsaKeyFormat.Public or > RsaKeyFormat.PrivateCrt
            || header.ModulusBytes is < RsaKeyHeader.MinModulusBytes or > RsaKeyHeader.MaxModulusBytes
            || blob.Length != RsaKeyHeader.BlobLength(header.Format, (int)header.ModulusBytes))
        {
            return CompletionStatus.BadRequest;
        }

        KeyCache cache = request.Keys;
        key = cache.Find(CacheKind, blob) as RsaKey;
        if (key is null)
        {
            key = Import(header.Format, (int)header.ModulusBytes, blob[RsaKeyHeader.Size..]);
            if (key is null)
            {
                return CompletionStatus.KeyRejected; // a well-formed blob whose numbers are not a usable key
            }

            cache.Add(CacheKind, blob, key);
        }

        return CompletionStatus.Ok;
    }

    /// <summary>Writes a PKCS#1 private key with CRT factors as a <see cref="RsaKeyFormat.PrivateCrt"/> blob.</summary>
    public static void WriteCrtBlob(in RSAParameters p, int k, Span<byte> blob)
    {
        int h = (k + 1) / 2;
        var header = new RsaKeyHeader { Format = RsaKeyFormat.PrivateCrt, ModulusBytes = (uint)k };
        MemoryMarshal.Write(blob, in header);
        Span<byte> rest = blob[RsaKeyHeader.Size..];
        int at = 0;
        foreach ((byte[]? value, int width) in new[] { (p.Modulus, k), (p.Exponent, k), (p.D, k), (p.P, h), (p.Q, h), (p.DP, h), (p.DQ, h), (p.InverseQ, h) })
        {
            HpreBytes.WriteFixed(value, rest.Slice(at, width));
            at += width;
        }
    }

    private static RsaKey? Import(RsaKeyFormat format, int k, ReadOnlySpan<byte> body)
    {
        int h = (k + 1) / 2;
        ReadOnlySpan<byte> n = body[..k], e = body.Slice(k, k);
        if (n[0] == 0 || (n[k - 1] & 1) == 0)
        {
            return null; // k is not the modulus size, or an even modulus
        }

        var bn = new BcBigInteger(1, n);
        var be = new BcBigInteger(1, e);
        if (be.CompareTo(BcBigInteger.One) <= 0 || be.CompareTo(bn) >= 0 || !be.TestBit(0))
        {
            return null;
        }

        byte[] modulus = n.ToArray();
        var parameters = new RSAParameters { Modulus = modulus, Exponent = HpreBytes.StripLeadingZeros(e).ToArray() };
        var bcPublic = new RsaKeyParameters(false, bn, be);
        RsaKeyParameters? bcPrivate = null;
        if (format != RsaKeyFormat.Public)
        {
            var bd = new BcBigInteger(1, body.Slice(2 * k, k));
            if (bd.SignValue <= 0 || bd.CompareTo(bn) >= 0)
            {
                return null;
            }

            if (format == RsaKeyFormat.Private)
            {
                bcPrivate = new RsaKeyParameters(true, bn, bd);
            }
            else
            {
                ReadOnlySpan<byte> crt = body[(3 * k)..];
                var bp = new BcBigInteger(1, crt[..h]);
                var bq = new BcBigInteger(1, crt.Slice(h, h));
                var bdp = new BcBigInteger(1, crt.Slice(2 * h, h));
                var bdq = new BcBigInteger(1, crt.Slice(3 * h, h));
                var bqi = new BcBigInteger(1, crt.Slice(4 * h, h));
                if (bp.CompareTo(BcBigInteger.One) <= 0 || bq.CompareTo(BcBigInteger.One) <= 0 || !bp.Multiply(bq).Equals(bn)
                    || bdp.SignValue <= 0 || bdq.SignValue <= 0 || bqi.SignValue <= 0)
                {
                    return null; // inconsistent CRT factors
                }

                bcPrivate = new RsaPrivateCrtKeyParameters(bn, be, bd, bp, bq, bdp, bdq, bqi);
                parameters.D = body.Slice(2 * k, k).ToArray();
                parameters.P = crt[..h].ToArray();
                parameters.Q = crt.Slice(h, h).ToArray();
                parameters.DP = crt.Slice(2 * h, h).ToArray();
                parameters.DQ = crt.Slice(3 * h, h).ToArray();
                parameters.InverseQ = crt.Slice(4 * h, h).ToArray();
            }
        }

        var system = RSA.Create();
        try
        {
            system.ImportParameters(parameters);
            return new RsaKey(format, modulus, system, bcPublic, bcPrivate);
        }
        catch (CryptographicException)
        {
            system.Dispose();
            return null;
        }
        finally
        {
            ZeroPrivate(parameters);
        }
    }

    /// <summary>Zeroes the private fields of <paramref name="p"/> (the arrays the runtime exported or we built).</summary>
    public static void ZeroPrivate(in RSAParameters p)
    {
        CryptographicOperations.ZeroMemory(p.D);
        CryptographicOperations.ZeroMemory(p.P);
        CryptographicOperations.ZeroMemory(p.Q);
        CryptographicOperations.ZeroMemory(p.DP);
        CryptographicOperations.ZeroMemory(p.DQ);
        CryptographicOperations.ZeroMemory(p.InverseQ);
    }

    public void Dispose() => System.Dispose();
}
