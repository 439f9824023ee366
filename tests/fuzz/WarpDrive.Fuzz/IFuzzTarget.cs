namespace WarpDrive.Fuzz;

/// <summary>One fuzz target: <see cref="DecompressionTarget"/> (deflate, zlib, gzip) or <see cref="FrameTarget"/> (zstd,
/// LZ4).</summary>
internal interface IFuzzTarget : IDisposable
{
    /// <summary>Runs one input (control bytes first, <see cref="FuzzInput"/>); a broken rule throws
    /// <see cref="FuzzCheckException"/>. Returns the block-mode outcome (for --replay and --crash).</summary>
    Outcome Run(ReadOnlySpan<byte> raw);
}
