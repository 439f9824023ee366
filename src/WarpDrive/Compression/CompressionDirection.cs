namespace WarpDrive.Compression;

/// <summary>Which way a session transforms data.</summary>
public enum CompressionDirection
{
    /// <summary>Compress.</summary>
    Compress,

    /// <summary>Decompress.</summary>
    Decompress,
}
