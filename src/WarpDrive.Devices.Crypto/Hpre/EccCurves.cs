using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>What the HPRE device knows of each <see cref="EccCurve"/>: key sizes, the group order, and the runtime's or
/// BouncyCastle's description of the curve.</summary>
internal static class EccCurves
{
    /// <summary>SM2's curve (sm2p256v1, GB/T 32918.5).</summary>
    public static readonly ECDomainParameters Sm2 = new(GMNamedCurves.GetByName("sm2p256v1"));

    private static readonly BcBigInteger s_p256Order = SecNamedCurves.GetByName("secp256r1").N;
    private static readonly BcBigInteger s_p384Order = SecNamedCurves.GetByName("secp384r1").N;
    private static readonly BcBigInteger s_p521Order = SecNamedCurves.GetByName("secp521r1").N;

    /// <summary>The size of a private key (and of one coordinate), or 0 for an unknown curve.</summary>
    public static int FieldBytes(EccCurve curve) => curve switch
    {
        EccCurve.P256 or EccCurve.X25519 or EccCurve.Ed25519 or EccCurve.Sm2 => 32,
        EccCurve.P384 => 48,
        EccCurve.P521 => 66,
        _ => 0,
    };

    /// <summary>The size of a public key: 04||X||Y, or 32 bytes for X25519 and Ed25519.</summary>
    public static int PublicBytes(EccCurve curve) =>
        curve is EccCurve.X25519 or EccCurve.Ed25519 ? 32 : 1 + (2 * FieldBytes(curve));

    public static bool IsNist(EccCurve curve) => curve is EccCurve.P256 or EccCurve.P384 or EccCurve.P521;

    public static ECCurve NistCurve(EccCurve curve) => curve switch
    {
        EccCurve.P256 => ECCurve.NamedCurves.nistP256,
        EccCurve.P384 => ECCurve.NamedCurves.nistP384,
        _ => ECCurve.NamedCurves.nistP521,
    };

    /// <summary>Whether <paramref name="scalar"/> is a valid private key of a NIST curve or SM2: 1 &lt;= d &lt; n
    /// (SM2: d &lt; n - 1).</summary>
    public static bool IsValidScalar(EccCurve curve, ReadOnlySpan<byte> scalar)
    {
        var d = new BcBigInteger(1, scalar);
        BcBigInteger limit = curve switch
        {
            EccCurve.P256 => s_p256Order,
            EccCurve.P384 => s_p384Order,
            EccCurve.P521 => s_p521Order,
            _ => Sm2.N.Subtract(BcBigInteger.One),
        };
        return d.SignValue > 0 && d.CompareTo(limit) < 0;
    }

    /// <summary>The runtime's parameters for a NIST private key (<paramref name="publicKey"/> false: the scalar d; the
    /// public point is derived) or public key (04||X||Y).</summary>
    public static ECParameters NistParameters(EccCurve curve, ReadOnlySpan<byte> key, bool publicKey)
    {
        int field = FieldBytes(curve);
        return publicKey
            ? new ECParameters { Curve = NistCurve(curve), Q = new ECPoint { X = key.Slice(1, field).ToArray(), Y = key.Slice(1 + field, field).ToArray() } }
            : new ECParameters { Curve = NistCurve(curve), D = key.ToArray() };
    }
}
