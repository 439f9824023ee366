using System.Security.Cryptography;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Nist;
using Org.BouncyCastle.Asn1.Oiw;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using WarpDrive.Abi;

namespace WarpDrive.Devices.Hpre;

/// <summary>The hashes an RSA scheme may name (SQE <c>Hash</c>): SHA-1, SHA-256, SHA-384 and SHA-512.</summary>
internal static class HpreHash
{
    /// <summary>The digest size of <paramref name="hash"/>, or 0 when RSA schemes do not take it.</summary>
    public static int Size(DigestAlgorithm hash) => hash switch
    {
        DigestAlgorithm.Sha1 => 20,
        DigestAlgorithm.Sha256 => 32,
        DigestAlgorithm.Sha384 => 48,
        DigestAlgorithm.Sha512 => 64,
        _ => 0,
    };

    public static HashAlgorithmName Name(DigestAlgorithm hash) => hash switch
    {
        DigestAlgorithm.Sha1 => HashAlgorithmName.SHA1,
        DigestAlgorithm.Sha256 => HashAlgorithmName.SHA256,
        DigestAlgorithm.Sha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public static RSAEncryptionPadding Oaep(DigestAlgorithm hash) => hash switch
    {
        DigestAlgorithm.Sha1 => RSAEncryptionPadding.OaepSHA1,
        DigestAlgorithm.Sha256 => RSAEncryptionPadding.OaepSHA256,
        DigestAlgorithm.Sha384 => RSAEncryptionPadding.OaepSHA384,
        _ => RSAEncryptionPadding.OaepSHA512,
    };

    public static IDigest CreateDigest(DigestAlgorithm hash) => hash switch
    {
        DigestAlgorithm.Sha1 => new Sha1Digest(),
        DigestAlgorithm.Sha256 => new Sha256Digest(),
        DigestAlgorithm.Sha384 => new Sha384Digest(),
        _ => new Sha512Digest(),
    };

    public static DerObjectIdentifier Oid(DigestAlgorithm hash) => hash switch
    {
        DigestAlgorithm.Sha1 => OiwObjectIdentifiers.IdSha1,
        DigestAlgorithm.Sha256 => NistObjectIdentifiers.IdSha256,
        DigestAlgorithm.Sha384 => NistObjectIdentifiers.IdSha384,
        _ => NistObjectIdentifiers.IdSha512,
    };
}
