using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>An ECC key pair in the device's encoding (<see cref="EccCurve"/>): the private scalar big-endian and
/// left-padded to the field size (Ed25519: the 32-byte seed; X25519: the 32-byte scalar), the public key
/// <c>04 || X || Y</c> (X25519, Ed25519: the 32-byte u or y coordinate). Converts to and from the runtime's
/// <see cref="ECParameters"/> for the NIST curves.</summary>
/// <param name="Curve">The curve.</param>
/// <param name="PrivateKey">The private key (empty for a public key only).</param>
/// <param name="PublicKey">The public key.</param>
public sealed record EccKeyPair(EccCurve Curve, ReadOnlyMemory<byte> PrivateKey, ReadOnlyMemory<byte> PublicKey)
{
    /// <summary>The field size of <paramref name="curve"/> in bytes: the length of a private key, of each half of a
    /// signature, and of an ECDH shared secret.</summary>
    public static int FieldBytes(EccCurve curve) => curve switch
    {
        EccCurve.P256 or EccCurve.X25519 or EccCurve.Ed25519 or EccCurve.Sm2 => 32,
        EccCurve.P384 => 48,
        EccCurve.P521 => 66,
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "unknown curve"),
    };

    /// <summary>The length of a public key on <paramref name="curve"/>: 32 for X25519 and Ed25519, else 1 + 2 x field.</summary>
    public static int PublicKeyBytes(EccCurve curve) =>
        curve is EccCurve.X25519 or EccCurve.Ed25519 ? 32 : 1 + (2 * FieldBytes(curve));

    /// <summary>Whether <paramref name="curve"/> is one of the NIST curves (P-256, P-384, P-521).</summary>
    public static bool IsNist(EccCurve curve) => curve is EccCurve.P256 or EccCurve.P384 or EccCurve.P521;

    /// <summary>The key of the runtime's <paramref name="parameters"/> on a NIST named curve (the private key only when D
    /// is present).</summary>
    /// <exception cref="ArgumentException">Not P-256, P-384 or P-521 by name, or no public point.</exception>
    public static EccKeyPair FromParameters(ECParameters parameters)
    {
        EccCurve curve = CurveOf(parameters.Curve);
        int field = FieldBytes(curve);
        if (parameters.Q.X is null || parameters.Q.Y is null || parameters.Q.X.Length > field || parameters.Q.Y.Length > field)
        {
            throw new ArgumentException("EC parameters need the public point Q of the curve's field size", nameof(parameters));
        }

        byte[] publicKey = new byte[1 + (2 * field)];
        publicKey[0] = 4;
        parameters.Q.X.CopyTo(publicKey.AsSpan(1 + field - parameters.Q.X.Length));
        parameters.Q.Y.CopyTo(publicKey.AsSpan(1 + (2 * field) - parameters.Q.Y.Length));
        byte[] privateKey = [];
        if (parameters.D is not null)
        {
            if (parameters.D.Length > field)
            {
                throw new ArgumentException($"the private scalar D is wider than {field} bytes", nameof(parameters));
            }

            privateKey = new byte[field];
            parameters.D.CopyTo(privateKey.AsSpan(field - parameters.D.Length));
        }

        return new EccKeyPair(curve, privateKey, publicKey);
    }

    /// <summary>The key as the runtime's parameters (NIST curves; D only when the pair holds the private key).</summary>
    /// <exception cref="InvalidOperationException">Not a NIST curve.</exception>
    public ECParameters ToParameters()
    {
        if (!IsNist(Curve))
        {
            throw new InvalidOperationException($"{Curve} keys have no ECParameters form in the runtime (NIST curves only)");
        }

        int field = FieldBytes(Curve);
        ReadOnlySpan<byte> q = PublicKey.Span;
        return new ECParameters
        {
            Curve = NamedCurve(Curve),
            Q = new ECPoint { X = q.Slice(1, field).ToArray(), Y = q.Slice(1 + field, field).ToArray() },
            D = PrivateKey.IsEmpty ? null : PrivateKey.ToArray(),
        };
    }

    /// <summary>The runtime's named curve of a NIST <paramref name="curve"/>.</summary>
    public static ECCurve NamedCurve(EccCurve curve) => curve switch
    {
        EccCurve.P256 => ECCurve.NamedCurves.nistP256,
        EccCurve.P384 => ECCurve.NamedCurves.nistP384,
        EccCurve.P521 => ECCurve.NamedCurves.nistP521,
        _ => throw new ArgumentOutOfRangeException(nameof(curve), curve, "not a NIST curve"),
    };

    private static EccCurve CurveOf(ECCurve curve)
    {
        string? oid = curve.Oid?.Value;
        string? name = curve.Oid?.FriendlyName;
        return (oid, name) switch
        {
            ("1.2.840.10045.3.1.7", _) or (_, "nistP256" or "ECDSA_P256" or "secp256r1" or "prime256v1") => EccCurve.P256,
            ("1.3.132.0.34", _) or (_, "nistP384" or "ECDSA_P384" or "secp384r1") => EccCurve.P384,
            ("1.3.132.0.35", _) or (_, "nistP521" or "ECDSA_P521" or "secp521r1") => EccCurve.P521,
            _ => throw new ArgumentException($"the HPRE device takes keys on P-256, P-384 and P-521 by name, not {name ?? oid ?? "an explicit curve"}", nameof(curve)),
        };
    }
}
