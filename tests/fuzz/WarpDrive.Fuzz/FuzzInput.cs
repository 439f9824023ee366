namespace WarpDrive.Fuzz;

/// <summary>How the harness reads one fuzz input: three control bytes, then the compressed data.
/// Byte 0, bit 0 (<see cref="Alternate"/>): deflate, zlib and gzip: the ZIP device's engine (0 ISA-L, 1 zlib); zstd and
/// LZ4 (both engines always run): block mode runs once more into a destination of stream mode's output size. Byte 1: stream mode splits the data into pieces of
/// 1 + byte1 bytes (the last piece carries the Last flag). Byte 2: stream mode's output buffer is 1 + 64 * byte2 bytes
/// (small buffers exercise OUT_OF_SPACE and resumption). An input shorter than three bytes is all data with the
/// control bytes zero, so the corpus's plain streams are valid inputs too.</summary>
internal readonly ref struct FuzzInput
{
    public FuzzInput(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < 3)
        {
            Data = raw;
            return;
        }

        Alternate = (raw[0] & 1) != 0;
        PieceLength = 1 + raw[1];
        OutputChunk = 1 + (64 * raw[2]);
        Data = raw[3..];
    }

    /// <summary>Largest <see cref="OutputChunk"/>.</summary>
    public const int MaxOutputChunk = 1 + (64 * 255);

    public bool Alternate { get; }

    public int PieceLength { get; } = 1;

    public int OutputChunk { get; } = 1;

    public ReadOnlySpan<byte> Data { get; }
}
