namespace WarpDrive.Devices.Engines;

/// <summary>What a compressor does at the end of the input it was given.</summary>
internal enum FlushMode
{
    /// <summary>Keep data back for better compression.</summary>
    None,

    /// <summary>Emit everything so far, ending on a byte boundary (zlib's Z_SYNC_FLUSH).</summary>
    Sync,

    /// <summary>End the stream and write the trailer.</summary>
    Finish,
}
