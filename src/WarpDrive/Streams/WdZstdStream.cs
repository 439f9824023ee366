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
        : base(stream, CompressionMode.Compress, CompressionAlgorithm.Zstd, new WdCompressionStreamOptions
        {
            Level = (compressionOptions ?? throw new ArgumentNullException(nameof(compressionOptions))).Quality,
            LeaveOpen = leaveOpen,
            Dictionary = compressionOptions.Dictionary?.Data ?? default,
        })
    {
    }

    /// <summary>Compresses to or decompresses from <paramref name="stream"/> with <paramref name="dictionary"/> (compressing
    /// at its <see cref="WdZstdDictionary.Quality"/>).</summary>
    public WdZstdStream(Stream stream, CompressionMode mode, WdZstdDictionary dictionary, bool leaveOpen = false)
        : base(stream, mode, CompressionAlgorithm.Zstd, new WdCompressionStreamOptions
        {
            Level = (dictionary ?? throw new ArgumentNullException(nameof(dictionary))).Quality,
            LeaveOpen = leaveOpen,
            Dictionary = dictionary.Data,
        })
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

    /// <summary>The dictionary to prime frames with (null: none); decompression needs the same one.</summary>
    public WdZstdDictionary? Dictionary { get; set; }
}

/// <summary>A zstd dictionary, shaped like .NET 11's <c>System.IO.Compression.ZstandardDictionary</c>: the output of
/// <c>zstd --train</c> (or any bytes, taken as raw content), and the level it compresses at. The sessions copy it into
/// device-visible memory; this object holds only its bytes.</summary>
public sealed class WdZstdDictionary : IDisposable
{
    private readonly byte[] _data;
    private bool _disposed;

    private WdZstdDictionary(byte[] data, int quality)
    {
        _data = data;
        Quality = quality;
    }

    /// <summary>The dictionary's bytes.</summary>
    /// <exception cref="ObjectDisposedException">The dictionary was disposed.</exception>
    public ReadOnlyMemory<byte> Data
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _data;
        }
    }

    /// <summary>The level a stream made with this dictionary compresses at.</summary>
    public int Quality { get; }

    /// <summary>A dictionary of <paramref name="buffer"/>'s bytes (copied) at zstd's default level.</summary>
    public static WdZstdDictionary Create(ReadOnlySpan<byte> buffer) => Create(buffer, WdZstdCompressionOptions.DefaultQuality);

    /// <summary>A dictionary of <paramref name="buffer"/>'s bytes (copied) that compresses at <paramref name="quality"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="buffer"/> is empty or longer than
    /// <see cref="CompressionSessionOptions.MaxDictionaryLength"/>.</exception>
    public static WdZstdDictionary Create(ReadOnlySpan<byte> buffer, int quality)
    {
        if (buffer.IsEmpty || buffer.Length > CompressionSessionOptions.MaxDictionaryLength)
        {
            throw new ArgumentException($"a dictionary is 1 to {CompressionSessionOptions.MaxDictionaryLength} bytes", nameof(buffer));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(quality, WdZstdCompressionOptions.MinQuality);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, WdZstdCompressionOptions.MaxQuality);
        return new WdZstdDictionary(buffer.ToArray(), quality);
    }

    /// <summary>Marks the dictionary disposed: streams and sessions made with it keep their own copies.</summary>
    public void Dispose() => _disposed = true;
}
