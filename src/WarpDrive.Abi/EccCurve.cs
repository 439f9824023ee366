namespace WarpDrive.Abi;

/// <summary>Curve of an ECC request: SQE <c>Algorithm</c> for the <c>Ecc*</c> opcodes. Private keys are the scalar
/// (Ed25519: the 32-byte seed), big-endian and left-padded to the field size; public keys are an uncompressed point
/// <c>04 || X || Y</c>, or the 32-byte u or y coordinate of RFC 7748 / RFC 8032 for X25519 and Ed25519.</summary>
public enum EccCurve : byte
{
    /// <summary>NIST P-256 (secp256r1): ECDSA over a hash, ECDH. Field 32 bytes.</summary>
    P256 = 1,

    /// <summary>NIST P-384: ECDSA, ECDH. Field 48 bytes.</summary>
    P384 = 2,

    /// <summary>NIST P-521: ECDSA, ECDH. Field 66 bytes.</summary>
    P521 = 3,

    /// <summary>X25519 key agreement (RFC 7748). Keys 32 bytes.</summary>
    X25519 = 4,

    /// <summary>Ed25519 signatures over the message (RFC 8032). Keys 32 bytes, signatures 64.</summary>
    Ed25519 = 5,

    /// <summary>SM2 (GB/T 32918): signatures over the message with the signer's ID (<see cref="CryptoParams.Aad"/>,
    /// default <c>1234567812345678</c>), encryption as C1||C3||C2, key agreement not offered. Field 32 bytes.</summary>
    Sm2 = 6,
}
