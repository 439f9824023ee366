using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>raw deflate (RFC 1951) through a WarpDrive ZIP device; a drop-in for <see cref="DeflateStream"/>.</summary>
public sealed class WdDeflateStream : WdCompressionStream
{
    /// <summary>Compresses to or decompresses from <paramref name="stream"/> at the default level.</summary>
    public WdDeflateStream(Stream stream, CompressionMode mode, bool leaveOpen = false)
        : base(stream, mode, 6, leaveOpen, CompressionAlgorithm.Deflate, null)
    {
    }

    /// <summary>Compresses to <paramref name="stream"/> at <paramref name="compressionLevel"/>.</summary>
    public WdDeflateStream(Stream stream, CompressionLevel compressionLevel, bool leaveOpen = false)
        : base(stream, CompressionMode.Compress, CompressionSessionOptions.ToLevel(compressionLevel), leaveOpen, CompressionAlgorithm.Deflate, null)
    {
    }

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> with <paramref name="options"/>: level, block
    /// size, runtime, output limit.</summary>
    public WdDeflateStream(Stream stream, CompressionMode mode, WdCompressionStreamOptions options)
        : base(stream, mode, CompressionAlgorithm.Deflate, options)
    {
    }

    /// <summary>Full control: level 0-9 and the runtime whose devices do the work.</summary>
    public WdDeflateStream(Stream stream, CompressionMode mode, int level, bool leaveOpen, WdRuntime? runtime)
        : base(stream, mode, level, leaveOpen, CompressionAlgorithm.Deflate, runtime)
    {
    }

    /// <summary>Decompresses from <paramref name="stream"/>, producing at most <paramref name="maxOutputLength"/> bytes:
    /// a read that would pass the limit throws <see cref="WdOutputLimitExceededException"/> (a decompression bomb
    /// stops there).</summary>
    public WdDeflateStream(Stream stream, long maxOutputLength, bool leaveOpen = false, WdRuntime? runtime = null)
        : base(stream, CompressionMode.Decompress, 6, leaveOpen, CompressionAlgorithm.Deflate, runtime, maxOutputLength)
    {
    }
}
