using System.IO.Compression;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>Zstandard (RFC 8878; reads concatenated and skippable frames) through a WarpDrive ZIP device. Shaped like
/// .NET 11's <c>System.IO.Compression.ZstandardStream</c>, so code moves between the two: the same constructors from a
/// mode or a <see cref="CompressionLevel"/>, and compression options with a quality.</summary>
public sealed class WdZstdStream : WdCompressionStream
{
    /// <summary>Compresses to or decompresses from <paramref name="stream"/> at zstd's default level (3).</summary>
    public WdZstdStream(Stream stream, CompressionMode mode)
        : this(stream, mode, leaveOpen: false)
    {
    }

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> at zstd's default level (3).</summary>
    public WdZstdStream(Stream stream, CompressionMode mode, bool leaveOpen)
        : base(stream, mode, WdZstdCompressionOptions.DefaultQuality, leaveOpen, CompressionAlgorithm.Zstd, null)
    {
    }

    /// <summary>Compresses to <paramref name="stream"/> at <paramref name="compressionLevel"/> (Fastest 1, Optimal 3,
    /// SmallestSize 19, NoCompression zstd's fastest level).</summary>
    public WdZstdStream(Stream stream, CompressionLevel compressionLevel)
        : this(stream, compressionLevel, leaveOpen: false)
    {
    }

    /// <summary>Compresses to <paramref name="stream"/> at <paramref name="compressionLevel"/>.</summary>
    public WdZstdStream(Stream stream, CompressionLevel compressionLevel, bool leaveOpen)
        : base(stream, CompressionMode.Compress, CompressionSessionOptions.ToLevel(compressionLevel, CompressionAlgorithm.Zstd), leaveOpen,
            CompressionAlgorithm.Zstd, null)
    {
    }

    /// <summary>Compresses to <paramref name="stream"/> with <paramref name="compressionOptions"/> (quality).</summary>
    public WdZstdStream(Stream stream, WdZstdCompressionOptions compressionOptions, bool leaveOpen = false)
        : base(stream, CompressionMode.Compress, (compressionOptions ?? throw new ArgumentNullException(nameof(compressionOptions))).Quality,
            leaveOpen, CompressionAlgorithm.Zstd, null)
    {
    }

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> with WarpDrive's stream options: level,
    /// block size, runtime, output limit.</summary>
    public WdZstdStream(Stream stream, CompressionMode mode, WdCompressionStreamOptions options)
        : base(stream, mode, CompressionAlgorithm.Zstd, options)
    {
    }

    /// <summary>Full control: level (-128 to 22) and the runtime whose devices do the work.</summary>
    public WdZstdStream(Stream stream, CompressionMode mode, int level, bool leaveOpen, WdRuntime? runtime)
        : base(stream, mode, level, leaveOpen, CompressionAlgorithm.Zstd, runtime)
    {
    }
}

/// <summary>Compression options of <see cref="WdZstdStream"/>, shaped like .NET 11's
/// <c>System.IO.Compression.ZstandardCompressionOptions</c>. Frames always carry a content checksum (as the <c>zstd</c>
/// tool writes them).</summary>
public sealed class WdZstdCompressionOptions
{
    /// <summary>zstd's default level.</summary>
    public static int DefaultQuality => 3;

    /// <summary>The fastest level a request carries.</summary>
    public static int MinQuality => -128;

    /// <summary>The highest level (the <c>zstd</c> tool's --ultra range).</summary>
    public static int MaxQuality => 22;

    /// <summary>The compression level, <see cref="MinQuality"/> to <see cref="MaxQuality"/> (default 3).</summary>
    public int Quality
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, MinQuality);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxQuality);
            field = value;
        }
    } = DefaultQuality;
}
