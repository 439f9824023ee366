namespace WarpDrive.Cli.Bench;

/// <summary>The families of request <c>wd bench</c> measures.</summary>
internal enum BenchAlgorithmKind
{
    /// <summary>No-op SQEs on a raw queue.</summary>
    Nop,

    /// <summary>Deflate, zlib or gzip blocks.</summary>
    Compression,

    /// <summary>SHA-256 of the packet.</summary>
    Sha256,

    /// <summary>AES-GCM encryption (ciphertext and a 16-byte tag).</summary>
    AesGcm,

    /// <summary>AES-CBC encryption without padding.</summary>
    AesCbc,

    /// <summary>RSA-2048 PKCS#1 v1.5 signature of a SHA-256 hash.</summary>
    RsaSign,
}
