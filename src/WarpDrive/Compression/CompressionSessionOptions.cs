using System.IO.Compression;

namespace WarpDrive.Compression;

/// <summary>Parameters of a <see cref="CompressionSession"/> (UADK's wd_comp_sess_setup).</summary>
public sealed record CompressionSessionOptions
{
    /// <summary>Container format.</summary>
    public CompressionAlgorithm Algorithm { get; init; } = CompressionAlgorithm.Gzip;

    /// <summary>Compress or decompress.</summary>
    public CompressionDirection Direction { get; init; } = CompressionDirection.Compress;

    /// <summary>Block (stateless) or stream (stateful).</summary>
    public SessionMode Mode { get; init; } = SessionMode.Block;

    /// <summary>Compression level. Deflate, zlib and gzip: 0 (stored) to 9 (smallest); ISA-L runs levels 1-9 as its
    /// levels 1-3. zstd: -128 to 22 (negative: zstd's fast levels; 0: its default, 3). LZ4: -128 to 12 (below 3 the fast
    /// compressor, negative an acceleration factor; 3-12 LZ4 HC).</summary>
    public int Level { get; init; } = 6;

    /// <summary>log2 of the history window, 9 to 15.</summary>
    public int WindowBits { get; init; } = 15;

    /// <summary>Decompression: the most output the session may produce, null for no limit (the default). Block mode:
    /// one request's output; stream mode: the whole stream's, across requests. Output that would pass it ends the
    /// request with <see cref="WarpDrive.Abi.CompletionStatus.DataError"/> and
    /// <see cref="WarpDrive.Abi.DataErrorKind.OutputLimitExceeded"/> (the streams throw
    /// <see cref="WdOutputLimitExceededException"/>) having written no more than the limit: the guard against
    /// decompression bombs. Honoured by <see cref="CompressionSession.Process(ReadOnlySpan{byte}, Span{byte}, bool, bool)"/>
    /// and <see cref="CompressionSession.ProcessAsync"/>; the callback and batch forms refuse a session with a limit
    /// (their destinations are their limits).</summary>
    public long? MaxOutputLength { get; init; }

    /// <summary>zstd: a dictionary (the output of <c>zstd --train</c>, or raw content) that compression primes its
    /// frames with and decompression needs for them; empty (the default) for none. The session copies it into
    /// device-visible memory once; at most <see cref="MaxDictionaryLength"/> bytes. Both sides must use the same
    /// dictionary: a frame made with another gives <see cref="WarpDrive.Abi.DataErrorKind.NeedsDictionary"/>, a corrupt
    /// one <see cref="WarpDrive.Abi.DataErrorKind.BadDictionary"/>.</summary>
    public ReadOnlyMemory<byte> Dictionary { get; init; }

    /// <summary>The longest <see cref="Dictionary"/> a device takes.</summary>
    public const int MaxDictionaryLength = 4 << 20;

    /// <summary>Stream mode: when the scheduler would put the session on an in-process device model, run it on the
    /// caller's thread instead (Mix mode's inline device): a device model shares this machine's cores, so offloading
    /// a stream to it buys no parallelism (a stream's requests follow one another) and costs a thread hop each way.
    /// The streams set it unless asked to offload (<see cref="Streams.WdCompressionStreamOptions.Offload"/>).</summary>
    internal bool InlineOnInProcessDevice { get; init; }

    /// <summary>Maps .NET's <see cref="CompressionLevel"/> onto <paramref name="algorithm"/>'s levels: for zstd
    /// Fastest 1, Optimal 3 (zstd's default), SmallestSize 19 (the <c>zstd</c> tool's highest without --ultra), and
    /// NoCompression its fastest level, -128 (zstd stores what does not shrink); for LZ4 Fastest and Optimal the fast
    /// compressor, SmallestSize HC 12, NoCompression acceleration 128.</summary>
    public static int ToLevel(CompressionLevel level, CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Zstd => level switch
        {
            CompressionLevel.NoCompression => MinFrameLevel,
            CompressionLevel.Fastest => 1,
            CompressionLevel.SmallestSize => 19,
            _ => 3,
        },
        CompressionAlgorithm.Lz4 => level switch
        {
            CompressionLevel.NoCompression => MinFrameLevel,
            CompressionLevel.SmallestSize => 12,
            _ => 1,
        },
        _ => ToLevel(level),
    };

    /// <summary>The lowest zstd and LZ4 level a request carries (its level byte is signed).</summary>
    private const int MinFrameLevel = -128;

    /// <summary>Maps .NET's <see cref="CompressionLevel"/> onto 0-9.</summary>
    public static int ToLevel(CompressionLevel level) => level switch
    {
        CompressionLevel.NoCompression => 0,
        CompressionLevel.Fastest => 1,
        CompressionLevel.SmallestSize => 9,
        _ => 6,
    };

    internal void Validate()
    {
        (int minLevel, int maxLevel) = LevelRange(Algorithm);
        if (Level < minLevel || Level > maxLevel)
        {
            throw new ArgumentOutOfRangeException(nameof(Level), Level, $"{AlgorithmName} level must be {minLevel} to {maxLevel}");
        }

        if (WindowBits is < 9 or > 15)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowBits), WindowBits, "window bits must be 9-15");
        }

        if (MaxOutputLength is { } max && (max < 0 || Direction != CompressionDirection.Decompress))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOutputLength), MaxOutputLength, "an output limit is 0 or more, and for decompression");
        }

        if (!Dictionary.IsEmpty && (Algorithm != CompressionAlgorithm.Zstd || Dictionary.Length > MaxDictionaryLength))
        {
            throw new ArgumentException($"a dictionary is for zstd, at most {MaxDictionaryLength} bytes", nameof(Dictionary));
        }

        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(Algorithm), Algorithm, "unknown algorithm");
        }
    }

    /// <summary>The levels <paramref name="algorithm"/> takes.</summary>
    internal static (int Min, int Max) LevelRange(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Zstd => (MinFrameLevel, 22),
        CompressionAlgorithm.Lz4 => (MinFrameLevel, 12),
        _ => (0, 9),
    };

    internal string AlgorithmName => Algorithm switch
    {
        CompressionAlgorithm.Deflate => "deflate",
        CompressionAlgorithm.Zlib => "zlib",
        CompressionAlgorithm.Zstd => "zstd",
        CompressionAlgorithm.Lz4 => "lz4",
        _ => "gzip",
    };
}
