namespace WarpDrive.Devices.Engines;

/// <summary>Where a codec stopped.</summary>
internal enum CodecStatus
{
    /// <summary>All input consumed; the stream goes on with the next input.</summary>
    NeedInput,

    /// <summary>The output buffer is full (or may hold back pending output): call again with more room.</summary>
    OutputFull,

    /// <summary>The end of the stream: the trailer was written (compress) or read and verified (decompress).</summary>
    StreamEnd,

    /// <summary>The input is not valid compressed data.</summary>
    DataError,
}
