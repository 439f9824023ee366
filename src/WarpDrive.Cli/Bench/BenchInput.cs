using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Cli.Bench;

/// <summary>The data every worker of a run shares, made once up front: the packet (text for compression, random bytes
/// for crypto), its compressed form when decompression is measured, and the keys.</summary>
internal sealed class BenchInput : IDisposable
{
    public BenchInput(BenchSettings settings)
    {
        Settings = settings;
        BenchAlgorithm algorithm = settings.Algorithm;
        Packet = settings.InputFile is { } file ? BenchData.FromFile(file, settings.PacketLength)
            : algorithm.Kind == BenchAlgorithmKind.Compression ? BenchData.Text(settings.PacketLength) : BenchData.Random(settings.PacketLength);
        Key = BenchData.Random(Math.Max(algorithm.KeyLength, 16), seed: 7);
        if (algorithm.Kind == BenchAlgorithmKind.Compression && settings.Decompress)
        {
            using BlockCodec codec = BlockCodec.Best(CompAlgorithmOf(algorithm), compress: true);
            byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(Packet.Length)];
            int n = codec.Process(CompAlgorithmOf(algorithm), settings.Level, 15, Packet, compressed);
            Compressed = compressed.AsSpan(0, n).ToArray();
        }

        if (algorithm.Kind == BenchAlgorithmKind.RsaSign)
        {
            Rsa = RSA.Create(2048);
            Hash = SHA256.HashData(Packet);
        }
    }

    public BenchSettings Settings { get; }

    /// <summary>The uncompressed packet (--pktlen bytes).</summary>
    public byte[] Packet { get; }

    /// <summary>The packet compressed with the device's engine (decompression input), else null.</summary>
    public byte[]? Compressed { get; }

    /// <summary>The key of the cipher runs.</summary>
    public byte[] Key { get; }

    /// <summary>RSA-2048 key of the signing runs.</summary>
    public RSA? Rsa { get; }

    /// <summary>The SHA-256 hash the signing runs sign.</summary>
    public byte[] Hash { get; } = [];

    /// <summary>A request's input: the packet, the compressed packet or the hash.</summary>
    public byte[] RequestInput => Settings.Algorithm.Kind switch
    {
        BenchAlgorithmKind.RsaSign => Hash,
        BenchAlgorithmKind.Compression when Settings.Decompress => Compressed!,
        _ => Packet,
    };

    /// <summary>The most output one request produces.</summary>
    public int OutputCapacity => Settings.Algorithm.Kind switch
    {
        BenchAlgorithmKind.Compression => Settings.Decompress ? Packet.Length : CompressionSession.GetMaxCompressedLength(Packet.Length),
        BenchAlgorithmKind.Sha256 => 32,
        BenchAlgorithmKind.AesGcm => Packet.Length + 16,
        BenchAlgorithmKind.RsaSign => 256,
        _ => Packet.Length,
    };

    public static CompAlgorithm CompAlgorithmOf(BenchAlgorithm algorithm) => algorithm.Compression switch
    {
        CompressionAlgorithm.Zlib => CompAlgorithm.Zlib,
        CompressionAlgorithm.Gzip => CompAlgorithm.Gzip,
        CompressionAlgorithm.Zstd => CompAlgorithm.Zstd,
        CompressionAlgorithm.Lz4 => CompAlgorithm.Lz4,
        _ => CompAlgorithm.Deflate,
    };

    public void Dispose() => Rsa?.Dispose();
}
