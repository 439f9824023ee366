namespace WarpDrive.Abi;

/// <summary>Request flags. Two bytes at SQE offset 10. Unknown bits are rejected with <see cref="CompletionStatus.BadRequest"/>.</summary>
[Flags]
public enum SqeFlags : ushort
{
    /// <summary>No flags: a stateless (block mode) request.</summary>
    None = 0,

    /// <summary>Stream mode: history is carried in the device-side stream context <c>StreamId</c>.</summary>
    Stream = 1 << 0,

    /// <summary>The last input of a stream: compression writes the trailer; decompression must reach the end of the data.</summary>
    Last = 1 << 1,

    /// <summary>Start a new stream in <c>StreamId</c>, discarding any state it held.</summary>
    NewStream = 1 << 2,

    /// <summary><c>Src</c> points at a table of <see cref="DataListEntry"/>; <c>SrcLen</c> is the entry count.</summary>
    SrcDataList = 1 << 3,

    /// <summary>Compression: end this request's output on a byte boundary (zlib's sync flush), so that
    /// everything consumed so far can be decompressed from what was produced.</summary>
    Flush = 1 << 4,

    /// <summary>All flags this ABI version defines.</summary>
    All = Stream | Last | NewStream | SrcDataList | Flush,
}
