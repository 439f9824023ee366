using WarpDrive.Abi;

namespace WarpDrive.Compression;

/// <summary>The outcome of one compression request.</summary>
/// <param name="Status">Device status. <see cref="CompletionStatus.OutOfSpace"/> in stream mode means: write out
/// <paramref name="Produced"/> bytes, then call again with the input after <paramref name="Consumed"/>.</param>
/// <param name="Consumed">Input bytes used.</param>
/// <param name="Produced">Output bytes written.</param>
/// <param name="Checksum">Running checksum of the uncompressed data (the input consumed so far when compressing, the
/// output so far when decompressing, across gzip members and zstd/LZ4 frames): CRC-32 (gzip, deflate), Adler-32
/// (zlib), the low 32 bits of XXH64 with seed 0 (zstd, what a zstd frame's content checksum holds) or XXH32 with seed 0
/// (LZ4, an LZ4 frame's content checksum).</param>
/// <param name="EndOfStream">The stream is complete (trailer written, or end of compressed data reached).</param>
/// <param name="DataError">Why, when <paramref name="Status"/> is <see cref="CompletionStatus.DataError"/>.</param>
public readonly record struct CompressionResult(
    CompletionStatus Status, int Consumed, int Produced, uint Checksum, bool EndOfStream, DataErrorKind DataError)
{
    /// <summary>Whether the request succeeded.</summary>
    public bool IsOk => Status == CompletionStatus.Ok;

    internal static CompressionResult From(in Cqe cqe) => new(
        cqe.Status, (int)cqe.Consumed, (int)cqe.Produced, cqe.Checksum, (cqe.Flags & CqeFlags.EndOfStream) != 0,
        cqe.Status == CompletionStatus.DataError ? (DataErrorKind)cqe.Detail : DataErrorKind.None);

    /// <summary>A one-line description of a data error, for messages.</summary>
    public string DescribeError() => DataError switch
    {
        DataErrorKind.Truncated => "unexpected end of data (truncated input)",
        DataErrorKind.InvalidHeader => "invalid header (not in this format)",
        DataErrorKind.ChecksumMismatch => "checksum or length mismatch (corrupt data)",
        DataErrorKind.TrailingGarbage => "trailing garbage after the end of the data",
        DataErrorKind.NeedsDictionary => "stream needs a dictionary (none or another was given)",
        DataErrorKind.BadDictionary => "the dictionary is corrupt",
        DataErrorKind.InvalidData => "invalid compressed data (corrupt)",
        DataErrorKind.OutputLimitExceeded => "output limit exceeded",
        _ => Status.ToString(),
    };
}
