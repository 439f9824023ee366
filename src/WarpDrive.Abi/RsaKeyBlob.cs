using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace WarpDrive.Abi;

/// <summary>The integers of an RSA key blob, in blob order.</summary>
public enum RsaKeyField
{
    /// <summary>n, k bytes.</summary>
    Modulus,

    /// <summary>e, k bytes.</summary>
    PublicExponent,

    /// <summary>d, k bytes (private formats).</summary>
    PrivateExponent,

    /// <summary>p, ceil(k/2) bytes (<see cref="RsaKeyFormat.PrivateCrt"/>).</summary>
    P,

    /// <summary>q, ceil(k/2) bytes.</summary>
    Q,

    /// <summary>d mod (p-1), ceil(k/2) bytes.</summary>
    DP,

    /// <summary>d mod (q-1), ceil(k/2) bytes.</summary>
    DQ,

    /// <summary>q^-1 mod p, ceil(k/2) bytes.</summary>
    InverseQ,
}

/// <summary>An RSA key blob (<see cref="CryptoParams.Key"/> of the <c>Rsa*</c> opcodes): an <see cref="RsaKeyHeader"/>,
/// then fixed-width big-endian integers: n and e of k bytes, d of k bytes for the private formats, and p, q, dp, dq,
/// qinv of ceil(k/2) bytes for <see cref="RsaKeyFormat.PrivateCrt"/>. The one reader and writer of the layout, for
/// libwd (which writes blobs) and the HPRE device (which reads them).</summary>
public readonly ref struct RsaKeyBlob
{
    private readonly ReadOnlySpan<byte> _blob;

    private RsaKeyBlob(ReadOnlySpan<byte> blob, RsaKeyFormat format, int modulusBytes)
    {
        _blob = blob;
        Format = format;
        ModulusBytes = modulusBytes;
    }

    /// <summary>Which integers the blob holds.</summary>
    public RsaKeyFormat Format { get; }

    /// <summary>k: the modulus size in bytes.</summary>
    public int ModulusBytes { get; }

    /// <summary>Zeroes the private integers of <paramref name="p"/> (D, P, Q, DP, DQ, InverseQ): the arrays a blob was
    /// built from or read into, on either side, once they are no longer needed.</summary>
    /// <param name="p">Parameters the runtime exported or the caller built.</param>
    public static void ZeroPrivate(in RSAParameters p)
    {
        CryptographicOperations.ZeroMemory(p.D);
        CryptographicOperations.ZeroMemory(p.P);
        CryptographicOperations.ZeroMemory(p.Q);
        CryptographicOperations.ZeroMemory(p.DP);
        CryptographicOperations.ZeroMemory(p.DQ);
        CryptographicOperations.ZeroMemory(p.InverseQ);
    }

    /// <summary>Reads a blob whose header is well formed (format known, reserved zero, k within
    /// <see cref="RsaKeyHeader.MinModulusBytes"/>..<see cref="RsaKeyHeader.MaxModulusBytes"/>) and whose length is
    /// exactly the one its header implies. The integers are not checked.</summary>
    public static bool TryRead(ReadOnlySpan<byte> blob, out RsaKeyBlob key)
    {
        key = default;
        if (blob.Length < RsaKeyHeader.Size)
        {
            return false;
        }

        RsaKeyHeader header = MemoryMarshal.Read<RsaKeyHeader>(blob);
        if (header.Reserved != 0 || header.Format is < RsaKeyFormat.Public or > RsaKeyFormat.PrivateCrt
            || header.ModulusBytes is < RsaKeyHeader.MinModulusBytes or > RsaKeyHeader.MaxModulusBytes
            || blob.Length != RsaKeyHeader.BlobLength(header.Format, (int)header.ModulusBytes))
        {
            return false;
        }

        key = new RsaKeyBlob(blob, header.Format, (int)header.ModulusBytes);
        return true;
    }

    /// <summary>The integer <paramref name="field"/> (fixed width, big-endian); empty when the format does not hold it.</summary>
    public ReadOnlySpan<byte> this[RsaKeyField field] =>
        Holds(Format, field) ? _blob.Slice(Offset(field, ModulusBytes), Width(field, ModulusBytes)) : default;

    /// <summary>Writes the header of a blob of <paramref name="format"/> and modulus size <paramref name="modulusBytes"/>
    /// into <paramref name="blob"/> (<see cref="RsaKeyHeader.BlobLength"/> bytes); fill the integers through
    /// <see cref="FieldOf"/>.</summary>
    public static void WriteHeader(Span<byte> blob, RsaKeyFormat format, int modulusBytes)
    {
        if (blob.Length != RsaKeyHeader.BlobLength(format, modulusBytes))
        {
            throw new ArgumentException("the blob's length does not match its format and modulus size", nameof(blob));
        }

        var header = new RsaKeyHeader { Format = format, ModulusBytes = (uint)modulusBytes };
        MemoryMarshal.Write(blob, in header);
    }

    /// <summary>Where <paramref name="field"/> goes in a blob being written (after <see cref="WriteHeader"/>).</summary>
    public static Span<byte> FieldOf(Span<byte> blob, RsaKeyFormat format, int modulusBytes, RsaKeyField field)
    {
        if (!Holds(format, field))
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, $"a {format} blob has no {field}");
        }

        return blob.Slice(Offset(field, modulusBytes), Width(field, modulusBytes));
    }

    /// <summary>Whether a blob of <paramref name="format"/> holds <paramref name="field"/>.</summary>
    public static bool Holds(RsaKeyFormat format, RsaKeyField field) => format switch
    {
        RsaKeyFormat.Public => field <= RsaKeyField.PublicExponent,
        RsaKeyFormat.Private => field <= RsaKeyField.PrivateExponent,
        _ => true,
    };

    private static int Width(RsaKeyField field, int k) => field <= RsaKeyField.PrivateExponent ? k : (k + 1) / 2;

    private static int Offset(RsaKeyField field, int k) => RsaKeyHeader.Size + (field <= RsaKeyField.PrivateExponent
        ? (int)field * k
        : (3 * k) + ((field - RsaKeyField.P) * ((k + 1) / 2)));
}
