using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>An RSA key as the HPRE device reads it: an <see cref="RsaKeyHeader"/> followed by big-endian integers
/// left-padded to fixed widths (<see cref="RsaKeyFormat"/>). Built from and converted to the runtime's types
/// (<see cref="RSAParameters"/>, <see cref="RSA"/>, PEM). The private bytes are zeroed on <see cref="Dispose"/>.</summary>
/// <example>
/// <code>
/// using RsaKey key = RsaKey.FromPem(File.ReadAllText("key.pem"));
/// using var rsa = new RsaSession(key);
/// </code>
/// </example>
public sealed class RsaKey : IDisposable
{
    private readonly byte[] _blob;
    private bool _disposed;

    private RsaKey(byte[] blob, RsaKeyFormat format, int modulusBytes)
    {
        _blob = blob;
        Format = format;
        ModulusBytes = modulusBytes;
    }

    /// <summary>What the key holds: public, private, or private with the CRT factors.</summary>
    public RsaKeyFormat Format { get; }

    /// <summary>k: the modulus size in bytes (the size of a signature or ciphertext).</summary>
    public int ModulusBytes { get; }

    /// <summary>The modulus size in bits.</summary>
    public int ModulusBits
    {
        get
        {
            ThrowIfDisposed();
            byte top = _blob[RsaKeyHeader.Size];
            return ((ModulusBytes - 1) * 8) + (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)top));
        }
    }

    /// <summary>Whether the key holds the private exponent.</summary>
    public bool IsPrivate => Format != RsaKeyFormat.Public;

    /// <summary>A new key holding only the public part (n, e) of this one.</summary>
    public RsaKey PublicKey
    {
        get
        {
            ThrowIfDisposed();
            int k = ModulusBytes;
            byte[] blob = new byte[RsaKeyHeader.BlobLength(RsaKeyFormat.Public, k)];
            RsaKeyBlob.WriteHeader(blob, RsaKeyFormat.Public, k);
            _ = RsaKeyBlob.TryRead(_blob, out RsaKeyBlob own);
            own[RsaKeyField.Modulus].CopyTo(RsaKeyBlob.FieldOf(blob, RsaKeyFormat.Public, k, RsaKeyField.Modulus));
            own[RsaKeyField.PublicExponent].CopyTo(RsaKeyBlob.FieldOf(blob, RsaKeyFormat.Public, k, RsaKeyField.PublicExponent));
            return new RsaKey(blob, RsaKeyFormat.Public, k);
        }
    }

    /// <summary>The device blob (header and integers). Valid until the key is disposed.</summary>
    internal ReadOnlySpan<byte> Blob
    {
        get
        {
            ThrowIfDisposed();
            return _blob;
        }
    }

    /// <summary>Builds the device blob of <paramref name="parameters"/>: <see cref="RsaKeyFormat.PrivateCrt"/> when P,
    /// Q, DP, DQ and InverseQ are all present, <see cref="RsaKeyFormat.Private"/> when D is, else
    /// <see cref="RsaKeyFormat.Public"/>.</summary>
    /// <exception cref="ArgumentException">No modulus or exponent, a modulus outside 1024..4096 bits or even, or a
    /// parameter wider than the modulus.</exception>
    public static RsaKey FromParameters(RSAParameters parameters)
    {
        ReadOnlySpan<byte> n = StripLeadingZeros(parameters.Modulus);
        ReadOnlySpan<byte> e = StripLeadingZeros(parameters.Exponent);
        if (n.IsEmpty || e.IsEmpty)
        {
            throw new ArgumentException("an RSA key needs its modulus and public exponent", nameof(parameters));
        }

        int k = n.Length;
        if (k is < RsaKeyHeader.MinModulusBytes or > RsaKeyHeader.MaxModulusBytes)
        {
            throw new ArgumentException($"the HPRE device takes RSA moduli of 1024 to 4096 bits (this one has {k * 8} or fewer)", nameof(parameters));
        }

        if ((n[^1] & 1) == 0)
        {
            throw new ArgumentException("an RSA modulus is odd", nameof(parameters));
        }

        bool crt = parameters.D is not null && parameters.P is not null && parameters.Q is not null && parameters.DP is not null
            && parameters.DQ is not null && parameters.InverseQ is not null;
        RsaKeyFormat format = crt ? RsaKeyFormat.PrivateCrt : parameters.D is not null ? RsaKeyFormat.Private : RsaKeyFormat.Public;
        byte[] blob = new byte[RsaKeyHeader.BlobLength(format, k)];
        try
        {
            RsaKeyBlob.WriteHeader(blob, format, k);
            Put(blob, format, k, RsaKeyField.Modulus, n, nameof(RSAParameters.Modulus));
            Put(blob, format, k, RsaKeyField.PublicExponent, e, nameof(RSAParameters.Exponent));
            if (format != RsaKeyFormat.Public)
            {
                Put(blob, format, k, RsaKeyField.PrivateExponent, parameters.D, nameof(RSAParameters.D));
            }

            if (crt)
            {
                Put(blob, format, k, RsaKeyField.P, parameters.P, nameof(RSAParameters.P));
                Put(blob, format, k, RsaKeyField.Q, parameters.Q, nameof(RSAParameters.Q));
                Put(blob, format, k, RsaKeyField.DP, parameters.DP, nameof(RSAParameters.DP));
                Put(blob, format, k, RsaKeyField.DQ, parameters.DQ, nameof(RSAParameters.DQ));
                Put(blob, format, k, RsaKeyField.InverseQ, parameters.InverseQ, nameof(RSAParameters.InverseQ));
            }
        }
        catch
        {
            CryptographicOperations.ZeroMemory(blob);
            throw;
        }

        return new RsaKey(blob, format, k);
    }

    /// <summary>The key of <paramref name="rsa"/>; its private part only with <paramref name="includePrivate"/>.</summary>
    public static RsaKey FromRsa(RSA rsa, bool includePrivate)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        RSAParameters p = rsa.ExportParameters(includePrivate);
        try
        {
            return FromParameters(p);
        }
        finally
        {
            RsaKeyBlob.ZeroPrivate(p);
        }
    }

    /// <summary>Reads a PEM key: PKCS#1 (<c>RSA PRIVATE KEY</c>, <c>RSA PUBLIC KEY</c>), PKCS#8 (<c>PRIVATE KEY</c>) or
    /// SubjectPublicKeyInfo (<c>PUBLIC KEY</c>).</summary>
    /// <exception cref="ArgumentException">No RSA key in the text, or one the device does not take.</exception>
    public static RsaKey FromPem(ReadOnlySpan<char> pem)
    {
        using var rsa = RSA.Create();
        bool isPrivate;
        try
        {
            rsa.ImportFromPem(pem);
            isPrivate = pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new ArgumentException("no RSA key in PEM form (PKCS#1 RSA PRIVATE/PUBLIC KEY, PKCS#8 PRIVATE KEY or PUBLIC KEY; encrypted keys are not read)", nameof(pem), e);
        }

        return FromRsa(rsa, isPrivate);
    }

    /// <summary>The key as the runtime's parameters (arrays the caller owns: zero them when done).</summary>
    public RSAParameters ToParameters()
    {
        ThrowIfDisposed();
        _ = RsaKeyBlob.TryRead(_blob, out RsaKeyBlob blob); // checked when the key was made
        var p = new RSAParameters
        {
            Modulus = blob[RsaKeyField.Modulus].ToArray(),
            Exponent = StripLeadingZeros(blob[RsaKeyField.PublicExponent]).ToArray(),
        };
        if (Format != RsaKeyFormat.Public)
        {
            p.D = blob[RsaKeyField.PrivateExponent].ToArray();
        }

        if (Format == RsaKeyFormat.PrivateCrt)
        {
            // The runtime wants D as long as the modulus and the CRT values half as long: the blob's widths.
            p.P = blob[RsaKeyField.P].ToArray();
            p.Q = blob[RsaKeyField.Q].ToArray();
            p.DP = blob[RsaKeyField.DP].ToArray();
            p.DQ = blob[RsaKeyField.DQ].ToArray();
            p.InverseQ = blob[RsaKeyField.InverseQ].ToArray();
        }

        return p;
    }

    /// <summary>The key in PEM: PKCS#8 <c>PRIVATE KEY</c> with <paramref name="includePrivate"/>, else
    /// SubjectPublicKeyInfo <c>PUBLIC KEY</c>.</summary>
    /// <exception cref="InvalidOperationException">A private PEM of a key without the CRT factors, or of a public key.</exception>
    public string ToPem(bool includePrivate)
    {
        ThrowIfDisposed();
        if (includePrivate && Format != RsaKeyFormat.PrivateCrt)
        {
            throw new InvalidOperationException(Format == RsaKeyFormat.Public
                ? "a public key has no private part to write"
                : "a private key without the CRT factors cannot be written as PKCS#8");
        }

        RSAParameters p = ToParameters();
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportParameters(includePrivate ? p : new RSAParameters { Modulus = p.Modulus, Exponent = p.Exponent });
            return includePrivate ? rsa.ExportPkcs8PrivateKeyPem() : rsa.ExportSubjectPublicKeyInfoPem();
        }
        finally
        {
            RsaKeyBlob.ZeroPrivate(p);
        }
    }

    /// <summary>Wraps a blob the device produced (key generation), after checking its header.</summary>
    internal static RsaKey FromBlob(byte[] blob)
    {
        if (!RsaKeyBlob.TryRead(blob, out RsaKeyBlob parsed))
        {
            throw new WdException("the device returned a malformed RSA key blob");
        }

        return new RsaKey(blob, parsed.Format, parsed.ModulusBytes);
    }

    /// <summary>Zeroes the key's bytes; the key is unusable afterwards.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptographicOperations.ZeroMemory(_blob);
        }
    }

    /// <summary>Writes <paramref name="value"/> right-aligned into its fixed-width field.</summary>
    private static void Put(Span<byte> blob, RsaKeyFormat format, int k, RsaKeyField field, ReadOnlySpan<byte> value, string name)
    {
        Span<byte> slot = RsaKeyBlob.FieldOf(blob, format, k, field);
        ReadOnlySpan<byte> v = StripLeadingZeros(value);
        if (v.Length > slot.Length)
        {
            throw new ArgumentException($"RSA parameter {name} is wider than its {slot.Length}-byte field", nameof(value));
        }

        v.CopyTo(slot[(slot.Length - v.Length)..]);
    }

    private static ReadOnlySpan<byte> StripLeadingZeros(ReadOnlySpan<byte> value)
    {
        int i = 0;
        while (i < value.Length && value[i] == 0)
        {
            i++;
        }

        return value[i..];
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
