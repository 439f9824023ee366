using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>A frame compressor whose steps (begin, update, flush, end) each need room for a worst case: they write into
/// a staging buffer of that size, which is drained into the request's output, so any output size works and a full
/// output resumes where it stopped. Input goes in chunks of at most <see cref="ChunkSize"/>.</summary>
internal abstract unsafe class StagedFrameCompressor : Codec
{
    /// <summary>The most input one update is given.</summary>
    protected const int ChunkSize = 64 * 1024;

    private StagedOutput? _staged;
    private bool _begun;
    private bool _ended;
    private bool _unflushed;

    /// <summary>Room the largest step needs (an update of <see cref="ChunkSize"/> with a full block buffered, or the end).</summary>
    protected abstract int StagingCapacity { get; }

    /// <summary>Starts a new frame at <paramref name="level"/> (0 is the default).</summary>
    protected abstract void ResetFrame(int level);

    /// <summary>Writes the frame header; returns its length.</summary>
    protected abstract int Begin(byte* output, int capacity);

    /// <summary>Compresses (or buffers) <paramref name="length"/> bytes; returns the bytes written.</summary>
    protected abstract int Update(byte* input, int length, byte* output, int capacity);

    /// <summary>Writes out what is buffered as a block; returns the bytes written.</summary>
    protected abstract int FlushBlock(byte* output, int capacity);

    /// <summary>Writes out what is buffered, the end mark and the content checksum; returns the bytes written.</summary>
    protected abstract int End(byte* output, int capacity);

    public sealed override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        ResetFrame(level);
        _staged ??= new StagedOutput(StagingCapacity);
        _staged.Clear();
        _begun = _ended = _unflushed = false;
    }

    public sealed override CodecStatus Process(byte* input, int inputLength, byte* output, int outputLength, FlushMode flush,
        out int consumed, out int produced, out DataErrorKind error)
    {
        StagedOutput staged = _staged ?? throw new InvalidOperationException("frame not started");
        error = DataErrorKind.None;
        consumed = 0;
        produced = 0;
        while (true)
        {
            if (!staged.Drain(output, outputLength, ref produced))
            {
                return CodecStatus.OutputFull;
            }

            if (!_begun)
            {
                staged.Add(Begin(staged.Free, staged.FreeLength));
                _begun = true;
            }
            else if (consumed < inputLength)
            {
                int n = Math.Min(ChunkSize, inputLength - consumed);
                staged.Add(Update(input + consumed, n, staged.Free, staged.FreeLength));
                consumed += n;
                _unflushed = true;
            }
            else if (flush == FlushMode.Finish)
            {
                if (_ended)
                {
                    return CodecStatus.StreamEnd;
                }

                staged.Add(End(staged.Free, staged.FreeLength));
                _ended = true;
            }
            else if (flush == FlushMode.Sync && _unflushed)
            {
                staged.Add(FlushBlock(staged.Free, staged.FreeLength));
                _unflushed = false;
            }
            else
            {
                return CodecStatus.NeedInput;
            }
        }
    }

    public override void Dispose()
    {
        _staged?.Dispose();
        _staged = null;
    }
}
