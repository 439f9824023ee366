using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>One block through a ZIP engine (deflate, zstd or LZ4) in the caller's thread, with no queue and no device:
/// the same codec the ZIP device runs, for tools that compare the offloaded path with the direct call (<c>wd bench
/// --mode direct</c>). Not thread-safe: one instance per thread.</summary>
public sealed unsafe class BlockCodec : IDisposable
{
    private readonly Codec _codec;

    /// <summary>A compressor (or, with <paramref name="compress"/> false, a decompressor) of deflate engine <paramref name="engine"/>.</summary>
    public BlockCodec(DeflateEngine engine, bool compress)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _codec = compress ? engine.CreateCompressor() : engine.CreateDecompressor();
    }

    /// <summary>A compressor (or decompressor) of zstd engine <paramref name="engine"/>.</summary>
    public BlockCodec(ZstdEngine engine, bool compress)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _codec = compress ? engine.CreateCompressor() : engine.CreateDecompressor();
    }

    /// <summary>A compressor (or decompressor) of LZ4 engine <paramref name="engine"/>.</summary>
    public BlockCodec(Lz4Engine engine, bool compress)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _codec = compress ? engine.CreateCompressor() : engine.CreateDecompressor();
    }

    /// <summary>The codec for <paramref name="algorithm"/> on this machine's best engine of its family.</summary>
    public static BlockCodec Best(CompAlgorithm algorithm, bool compress) => algorithm switch
    {
        CompAlgorithm.Zstd => new BlockCodec(ZstdEngine.Best, compress),
        CompAlgorithm.Lz4 => new BlockCodec(Lz4Engine.Best, compress),
        _ => new BlockCodec(DeflateEngine.Best, compress),
    };

    /// <summary>Compresses or decompresses <paramref name="input"/> as one whole stream (frame) of <paramref name="algorithm"/>
    /// (level and window as in an SQE; zstd and LZ4 levels may be negative).</summary>
    /// <returns>Bytes written to <paramref name="output"/>, or -1 when the data is bad or the output too small.</returns>
    public int Process(CompAlgorithm algorithm, int level, int windowBits, ReadOnlySpan<byte> input, Span<byte> output)
    {
        _codec.Reset(algorithm, level, windowBits);
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            CodecStatus status = _codec.Process(i, input.Length, o, output.Length, FlushMode.Finish, out _, out int produced, out _);
            return status == CodecStatus.StreamEnd ? produced : -1;
        }
    }

    /// <summary>Frees the codec's native state.</summary>
    public void Dispose() => _codec.Dispose();
}
