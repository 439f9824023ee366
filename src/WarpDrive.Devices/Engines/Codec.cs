using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>One compressor or decompressor of a deflate engine: native state, reusable across streams.
/// Pointers are device-visible addresses that the device host has already checked.</summary>
internal abstract unsafe class Codec : IDisposable
{
    /// <summary>Starts a new stream.</summary>
    public abstract void Reset(CompAlgorithm algorithm, int level, int windowBits);

    /// <summary>Starts a new stream that uses <paramref name="dictionary"/> (zstd's; the device refuses one for the
    /// other formats before a codec sees it).</summary>
    /// <returns><see cref="DataErrorKind.None"/>, or <see cref="DataErrorKind.BadDictionary"/> when the library refuses
    /// the dictionary.</returns>
    public virtual DataErrorKind Reset(CompAlgorithm algorithm, int level, int windowBits, ReadOnlySpan<byte> dictionary)
    {
        if (!dictionary.IsEmpty)
        {
            throw new NotSupportedException($"{algorithm} takes no dictionary");
        }

        Reset(algorithm, level, windowBits);
        return DataErrorKind.None;
    }

    /// <summary>Runs the codec over <paramref name="input"/> into <paramref name="output"/>.</summary>
    /// <param name="flush">Compressors: what to do at the end of this input. Decompressors: <see cref="FlushMode.Finish"/>
    /// means no more input will come, so stopping short of the end is a <see cref="DataErrorKind.Truncated"/> error.</param>
    public abstract CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error);

    public abstract void Dispose();

    /// <summary>Where a decompressor stands that made what progress it could without reaching the end of the stream:
    /// the output is full, or it needs more input, which at <see cref="FlushMode.Finish"/> means the input is truncated.</summary>
    protected static CodecStatus Unfinished(int consumed, int inputLength, int produced, int outputLength, FlushMode flush,
        out DataErrorKind error)
    {
        error = DataErrorKind.None;
        if (produced == outputLength)
        {
            return CodecStatus.OutputFull;
        }

        if (flush == FlushMode.Finish && consumed == inputLength)
        {
            error = DataErrorKind.Truncated;
            return CodecStatus.DataError;
        }

        return CodecStatus.NeedInput;
    }
}
