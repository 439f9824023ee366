namespace WarpDrive.Abi;

/// <summary>Completion flags. Two bytes at CQE offset 22.</summary>
[Flags]
public enum CqeFlags : ushort
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>The stream is complete: compression wrote the trailer, decompression reached and verified the end of the data.</summary>
    EndOfStream = 1 << 0,
}
