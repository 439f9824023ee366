using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>Options of <see cref="WdGZipStream"/>, <see cref="WdZLibStream"/>, <see cref="WdDeflateStream"/>,
/// <see cref="WdZstdStream"/> and <see cref="WdLz4Stream"/> beyond
/// what System.IO.Compression's constructors take.</summary>
public sealed class WdCompressionStreamOptions
{
    /// <summary>The default <see cref="BlockSize"/>: 64 KiB.</summary>
    public const int DefaultBlockSize = 64 * 1024;

    /// <summary>Compressing: the level, 0-9 (default 6, as <see cref="CompressionLevel.Optimal"/>); for
    /// <see cref="WdZstdStream"/> and <see cref="WdLz4Stream"/> the format's levels (<see cref="CompressionSessionOptions.Level"/>).</summary>
    public int Level { get; init; } = 6;

    /// <summary>Leave the underlying stream open when this one is disposed.</summary>
    public bool LeaveOpen { get; init; }

    /// <summary>The runtime whose devices do the work (default <see cref="WdRuntime.Default"/>).</summary>
    public WdRuntime? Runtime { get; init; }

    /// <summary>Decompressing: the most bytes the stream may produce in all (null: no limit); a read that would pass it
    /// throws <see cref="WdOutputLimitExceededException"/>.</summary>
    public long? MaxOutputLength { get; init; }

    /// <summary>The size of one device request (default 64 KiB, 4 KiB to 16 MiB). Writes are gathered into requests of
    /// this size, so however small the writes, a stream makes about one request per block (plus one per
    /// <see cref="Stream.Flush()"/> and one at the end); reads take compressed input in blocks of this size and, when the
    /// caller's buffer is smaller, decompress a block ahead and hand it out from there.</summary>
    public int BlockSize { get; init; } = DefaultBlockSize;

    /// <summary>Offload to the device even when it is an in-process device model. By default (false) a stream whose
    /// device would be an in-process model runs on the caller's thread (Mix mode's inline device, the same model's code):
    /// the model shares this machine's cores, and a stream's requests follow one another, so offloading buys nothing
    /// and costs about twice the CPU (docs/PERFORMANCE.md, "Streams"). Broker and kernel (hardware) devices are always
    /// offloaded to.</summary>
    public bool Offload { get; init; }

    /// <summary><see cref="WdZstdStream"/>: the zstd dictionary both sides use (<see cref="CompressionSessionOptions.Dictionary"/>);
    /// empty (the default) for none.</summary>
    public ReadOnlyMemory<byte> Dictionary { get; init; }

    internal void Validate(CompressionAlgorithm algorithm)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 4096, nameof(BlockSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BlockSize, 16 << 20, nameof(BlockSize));
        (int minLevel, int maxLevel) = CompressionSessionOptions.LevelRange(algorithm);
        ArgumentOutOfRangeException.ThrowIfLessThan(Level, minLevel, nameof(Level));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Level, maxLevel, nameof(Level));
    }
}
