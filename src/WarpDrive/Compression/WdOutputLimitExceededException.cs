namespace WarpDrive.Compression;

/// <summary>Decompression stopped because the output would pass the caller's limit
/// (<see cref="CompressionSessionOptions.MaxOutputLength"/>, the streams' <c>maxOutputLength</c>): a decompression
/// bomb, or simply more data than the caller allows. No more than the limit was written. Not an
/// <see cref="InvalidDataException"/> (that one is sealed, and the data may be perfectly valid): <c>wd</c> reports it
/// as a data error all the same (exit code 1).</summary>
public sealed class WdOutputLimitExceededException : WdException
{
    /// <summary>Creates the exception for <paramref name="limit"/> bytes.</summary>
    public WdOutputLimitExceededException(long limit)
        : base($"output limit of {limit} bytes exceeded")
    {
        Limit = limit;
    }

    /// <summary>Creates the exception with a message of your own.</summary>
    public WdOutputLimitExceededException()
        : base("output limit exceeded")
    {
    }

    /// <summary>Creates the exception with a message of your own.</summary>
    public WdOutputLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WdOutputLimitExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The limit, in bytes (0 when not known).</summary>
    public long Limit { get; }
}
