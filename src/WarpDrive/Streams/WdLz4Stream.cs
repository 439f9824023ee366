using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>LZ4 frames (the format of the <c>lz4</c> tool; reads concatenated and skippable frames) through a WarpDrive
/// ZIP device, with the constructors of System.IO.Compression's streams.</summary>
public sealed class WdLz4Stream : WdCompressionStream
{
    /// <summary>The level the mode-only constructors compress at: the fast compressor.</summary>
    public const int DefaultLevel = 1;

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> with the fast compressor.</summary>
    public WdLz4Stream(Stream stream, CompressionMode mode, bool leaveOpen = false)
        : base(stream, mode, DefaultLevel, leaveOpen, CompressionAlgorithm.Lz4, null)
    {
    }

    /// <summary>Compresses to <paramref name="stream"/> at <paramref name="compressionLevel"/> (SmallestSize is LZ4 HC
    /// level 12, NoCompression the fastest acceleration, the others the fast compressor).</summary>
    public WdLz4Stream(Stream stream, CompressionLevel compressionLevel, bool leaveOpen = false)
        : base(stream, CompressionMode.Compress, CompressionSessionOptions.ToLevel(compressionLevel, CompressionAlgorithm.Lz4), leaveOpen,
            CompressionAlgorithm.Lz4, null)
    {
    }

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> with <paramref name="options"/>: level (below 3
    /// fast, negative an acceleration, 3-12 HC), block size, runtime, output limit.</summary>
    public WdLz4Stream(Stream stream, CompressionMode mode, WdCompressionStreamOptions options)
        : base(stream, mode, CompressionAlgorithm.Lz4, options)
    {
    }

    /// <summary>Full control: level and the runtime whose devices do the work.</summary>
    public WdLz4Stream(Stream stream, CompressionMode mode, int level, bool leaveOpen, WdRuntime? runtime)
        : base(stream, mode, level, leaveOpen, CompressionAlgorithm.Lz4, runtime)
    {
    }
}
