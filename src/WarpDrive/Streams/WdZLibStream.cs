using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>zlib (RFC 1950) through a WarpDrive ZIP device; a drop-in for <see cref="ZLibStream"/>.</summary>
public sealed class WdZLibStream : WdCompressionStream
{
    /// <summary>Compresses to or decompresses from <paramref name="stream"/> at the default level.</summary>
    public WdZLibStream(Stream stream, CompressionMode mode, bool leaveOpen = false)
        : base(stream, mode, 6, leaveOpen, CompressionAlgorithm.Zlib, null)
    {
    }

    /// <summary>Compresses to <paramref name="stream"/> at <paramref name="compressionLevel"/>.</summary>
    public WdZLibStream(Stream stream, CompressionLevel compressionLevel, bool leaveOpen = false)
        : base(stream, CompressionMode.Compress, CompressionSessionOptions.ToLevel(compressionLevel), leaveOpen, CompressionAlgorithm.Zlib, null)
    {
    }

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> with <paramref name="options"/>: level, block
    /// size, runtime, output limit.</summary>
    public WdZLibStream(Stream stream, CompressionMode mode, WdCompressionStreamOptions options)
        : base(stream, mode, CompressionAlgorithm.Zlib, options)
    {
    }

    /// <summary>Full control: level 0-9 and the runtime whose devices do the work.</summary>
    public WdZLibStream(Stream stream, CompressionMode mode, int level, bool leaveOpen, WdRuntime? runtime)
        : base(stream, mode, level, leaveOpen, CompressionAlgorithm.Zlib, runtime)
    {
    }

    /// <summary>Decompresses from <paramref name="stream"/>, producing at most <paramref name="maxOutputLength"/> bytes:
    /// a read that would pass the limit throws <see cref="WdOutputLimitExceededException"/> (a decompression bomb
    /// stops there).</summary>
    public WdZLibStream(Stream stream, long maxOutputLength, bool leaveOpen = false, WdRuntime? runtime = null)
        : base(stream, CompressionMode.Decompress, 6, leaveOpen, CompressionAlgorithm.Zlib, runtime, maxOutputLength)
    {
    }
}
