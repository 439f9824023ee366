namespace WarpDrive.Abi;

/// <summary>Why a request completed with <see cref="CompletionStatus.DataError"/>. Four bytes at CQE offset 24 (<c>Detail</c>).</summary>
public enum DataErrorKind : uint
{
    /// <summary>No detail.</summary>
    None = 0,

    /// <summary>The input ended before the end of the compressed data.</summary>
    Truncated = 1,

    /// <summary>A deflate block header, symbol or distance is invalid.</summary>
    InvalidData = 2,

    /// <summary>The gzip or zlib header is invalid (bad magic, method or flags).</summary>
    InvalidHeader = 3,

    /// <summary>The CRC-32, Adler-32 or length in the trailer does not match the data.</summary>
    ChecksumMismatch = 4,

    /// <summary>Bytes follow the end of the data that are not another gzip member.</summary>
    TrailingGarbage = 5,

    /// <summary>The stream needs a dictionary: a zlib preset dictionary (which this device does not support), or a zstd
    /// frame made with a dictionary that the request does not name or names another.</summary>
    NeedsDictionary = 6,

    /// <summary>The output would pass the caller's limit (<c>CompressionSessionOptions.MaxOutputLength</c>). Set by
    /// libwd, never by a device.</summary>
    OutputLimitExceeded = 7,

    /// <summary>The zstd dictionary the request names is corrupt: it starts with the dictionary magic number, but its
    /// entropy tables do not parse.</summary>
    BadDictionary = 8,
}
