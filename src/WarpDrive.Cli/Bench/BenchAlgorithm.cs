using WarpDrive.Compression;
using WarpDrive.Scheduling;

namespace WarpDrive.Cli.Bench;

/// <summary>What <c>wd bench --alg</c> names: the kind of request, the library that runs it and the device algorithm
/// a raw queue is opened for.</summary>
internal sealed record BenchAlgorithm(string Name, BenchAlgorithmKind Kind, AlgorithmLibrary Library, string QueueAlgorithm,
    CompressionAlgorithm Compression = CompressionAlgorithm.Deflate, int KeyLength = 0)
{
    public static readonly IReadOnlyDictionary<string, BenchAlgorithm> ByName = new Dictionary<string, BenchAlgorithm>
    {
        ["nop"] = new("nop", BenchAlgorithmKind.Nop, AlgorithmLibrary.Comp, "deflate"),
        ["deflate"] = new("deflate", BenchAlgorithmKind.Compression, AlgorithmLibrary.Comp, "deflate", CompressionAlgorithm.Deflate),
        ["zlib"] = new("zlib", BenchAlgorithmKind.Compression, AlgorithmLibrary.Comp, "zlib", CompressionAlgorithm.Zlib),
        ["gzip"] = new("gzip", BenchAlgorithmKind.Compression, AlgorithmLibrary.Comp, "gzip", CompressionAlgorithm.Gzip),
        ["zstd"] = new("zstd", BenchAlgorithmKind.Compression, AlgorithmLibrary.Comp, "zstd", CompressionAlgorithm.Zstd),
        ["lz4"] = new("lz4", BenchAlgorithmKind.Compression, AlgorithmLibrary.Comp, "lz4", CompressionAlgorithm.Lz4),
        ["sha256"] = new("sha256", BenchAlgorithmKind.Sha256, AlgorithmLibrary.Digest, "digest"),
        ["aes-128-gcm"] = new("aes-128-gcm", BenchAlgorithmKind.AesGcm, AlgorithmLibrary.Aead, "aead", KeyLength: 16),
        ["aes-256-gcm"] = new("aes-256-gcm", BenchAlgorithmKind.AesGcm, AlgorithmLibrary.Aead, "aead", KeyLength: 32),
        ["aes-128-cbc"] = new("aes-128-cbc", BenchAlgorithmKind.AesCbc, AlgorithmLibrary.Cipher, "cipher", KeyLength: 16),
        ["aes-256-cbc"] = new("aes-256-cbc", BenchAlgorithmKind.AesCbc, AlgorithmLibrary.Cipher, "cipher", KeyLength: 32),
        ["rsa2048-sign"] = new("rsa2048-sign", BenchAlgorithmKind.RsaSign, AlgorithmLibrary.Rsa, "rsa"),
    };

    /// <summary>Whether the request's input is the packet (false for RSA, which signs a 32-byte hash).</summary>
    public bool UsesPacket => Kind != BenchAlgorithmKind.RsaSign;
}
