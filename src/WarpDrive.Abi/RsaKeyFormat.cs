namespace WarpDrive.Abi;

/// <summary>What an RSA key blob holds (<see cref="RsaKeyHeader.Format"/>). After the 8-byte header come big-endian
/// integers, each left-padded to a fixed width: k = the modulus size in bytes, h = (k + 1) / 2.</summary>
public enum RsaKeyFormat : ushort
{
    /// <summary>Public key: n (k), e (k).</summary>
    Public = 1,

    /// <summary>Private key without the CRT factors: n (k), e (k), d (k).</summary>
    Private = 2,

    /// <summary>Private key with the CRT factors (PKCS#1 RSAPrivateKey): n (k), e (k), d (k), p (h), q (h), dP (h),
    /// dQ (h), qInv (h).</summary>
    PrivateCrt = 3,
}
