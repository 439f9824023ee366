namespace WarpDrive.Abi.Uacce;

/// <summary>The stream state the device returns in <c>ctx_dw0</c> bits 0-3 (<see cref="HisiZipSqe.ContextStateMask"/>;
/// UADK's <c>HZ_DECOMP_*</c>).</summary>
public enum HisiZipContextState : byte
{
    /// <summary>Nothing to report.</summary>
    None = 0x0,

    /// <summary><c>HZ_DECOMP_NO_SPACE</c>: decompression stopped because the output was full; send the rest of the
    /// input with fresh room.</summary>
    DecompressNoSpace = 0x1,

    /// <summary><c>HZ_DECOMPING_NO_SPACE</c>: as <see cref="DecompressNoSpace"/>, inside a block.</summary>
    DecompressingNoSpace = 0x2,

    /// <summary><c>HZ_DECOMP_BLK_NOSTART</c>: the input ended before the next block started.</summary>
    DecompressBlockNotStarted = 0x3,
}
