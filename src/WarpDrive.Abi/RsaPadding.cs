namespace WarpDrive.Abi;

/// <summary>Padding of an RSA request: SQE <c>Mode</c> for the <c>Rsa*</c> opcodes. The hash a scheme uses is SQE
/// <c>Hash</c> (a <see cref="DigestAlgorithm"/>).</summary>
public enum RsaPadding : byte
{
    /// <summary>No padding: the input is a number below the modulus, exactly the modulus size (encrypt/decrypt only).</summary>
    Raw = 0,

    /// <summary>PKCS#1 v1.5 (RFC 8017): signature scheme RSASSA-PKCS1-v1_5 or encryption scheme RSAES-PKCS1-v1_5.</summary>
    Pkcs1 = 1,

    /// <summary>RSASSA-PSS with MGF1 of the same hash and a salt as long as the hash (signatures only).</summary>
    Pss = 2,

    /// <summary>RSAES-OAEP with MGF1 of the same hash and an empty label (encryption only).</summary>
    Oaep = 3,
}
