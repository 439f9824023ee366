using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>An RSA key blob (<see cref="RsaKeyBlob"/>, the layout's one reader) imported once per queue:
/// a CRT private key or a public key into the runtime's <see cref="RSA"/> (OpenSSL), a private key without the CRT
/// factors into BouncyCastle (its public part into the runtime for verification and encryption).</summary>
internal sealed class HpreRsaKey : IDisposable
{
    private const int CacheKind = 1;

    private readonly byte[] _modulus;

    private HpreRsaKey(RsaKeyFormat format, byte[] modulus, RSA system, RsaKeyParameters bcPublic, RsaKeyParameters? bcPrivate)
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
    public static CompletionStatus Get(in HpreRequest request, out HpreRsaKey? key)
    {
        key = null;
        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> blob);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (!RsaKeyBlob.TryRead(blob, out RsaKeyBlob parsed))
        {
            return CompletionStatus.BadRequest;
        }

        KeyCache cache = request.Keys;
        key = cache.Find(CacheKind, blob) as HpreRsaKey;
        if (key is null)
        {
            key = Import(parsed);
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
        RsaKeyBlob.WriteHeader(blob, RsaKeyFormat.PrivateCrt, k);
        foreach ((byte[]? value, RsaKeyField field) in new[]
        {
            (p.Modulus, RsaKeyField.Modulus), (p.Exponent, RsaKeyField.PublicExponent), (p.D, RsaKeyField.PrivateExponent),
            (p.P, RsaKeyField.P), (p.Q, RsaKeyField.Q), (p.DP, RsaKeyField.DP), (p.DQ, RsaKeyField.DQ), (p.InverseQ, RsaKeyField.InverseQ),
        })
        {
            HpreBytes.WriteFixed(value, RsaKeyBlob.FieldOf(blob, RsaKeyFormat.PrivateCrt, k, field));
        }
    }

    private static HpreRsaKey? Import(RsaKeyBlob blob)
    {
        int k = blob.ModulusBytes;
        ReadOnlySpan<byte> n = blob[RsaKeyField.Modulus], e = blob[RsaKeyField.PublicExponent];
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
        if (blob.Format != RsaKeyFormat.Public)
        {
            ReadOnlySpan<byte> d = blob[RsaKeyField.PrivateExponent];
            var bd = new BcBigInteger(1, d);
            if (bd.SignValue <= 0 || bd.CompareTo(bn) >= 0)
            {
                return null;
            }

            if (blob.Format == RsaKeyFormat.Private)
            {
                bcPrivate = new RsaKeyParameters(true, bn, bd);
            }
            else
            {
                var bp = new BcBigInteger(1, blob[RsaKeyField.P]);
                var bq = new BcBigInteger(1, blob[RsaKeyField.Q]);
                var bdp = new BcBigInteger(1, blob[RsaKeyField.DP]);
                var bdq = new BcBigInteger(1, blob[RsaKeyField.DQ]);
                var bqi = new BcBigInteger(1, blob[RsaKeyField.InverseQ]);
                if (bp.CompareTo(BcBigInteger.One) <= 0 || bq.CompareTo(BcBigInteger.One) <= 0 || !bp.Multiply(bq).Equals(bn)
                    || bdp.SignValue <= 0 || bdq.SignValue <= 0 || bqi.SignValue <= 0)
                {
                    return null; // inconsistent CRT factors
                }

                bcPrivate = new RsaPrivateCrtKeyParameters(bn, be, bd, bp, bq, bdp, bdq, bqi);
                parameters.D = d.ToArray();
                parameters.P = blob[RsaKeyField.P].ToArray();
                parameters.Q = blob[RsaKeyField.Q].ToArray();
                parameters.DP = blob[RsaKeyField.DP].ToArray();
                parameters.DQ = blob[RsaKeyField.DQ].ToArray();
                parameters.InverseQ = blob[RsaKeyField.InverseQ].ToArray();
            }
        }

        var system = RSA.Create();
        try
        {
            system.ImportParameters(parameters);
            return new HpreRsaKey(blob.Format, modulus, system, bcPublic, bcPrivate);
        }
        catch (CryptographicException)
        {
            system.Dispose();
            return null;
        }
        finally
        {
            RsaKeyBlob.ZeroPrivate(parameters);
        }
    }

    public void Dispose() => System.Dispose();
}
