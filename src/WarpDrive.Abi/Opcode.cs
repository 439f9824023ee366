namespace WarpDrive.Abi;

/// <summary>What a submission queue entry asks the device to do. One byte at SQE offset 8.</summary>
/// <remarks>0x00-0x0F are generic, 0x10-0x1F belong to ZIP devices; other ranges are reserved for SEC and HPRE.</remarks>
public enum Opcode : byte
{
    /// <summary>Do nothing and complete with <see cref="CompletionStatus.Ok"/>; measures the queue itself.</summary>
    Nop = 0x00,

    /// <summary>Compress <c>Src</c> into <c>Dst</c> (ZIP).</summary>
    Compress = 0x10,

    /// <summary>Decompress <c>Src</c> into <c>Dst</c> (ZIP).</summary>
    Decompress = 0x11,

    /// <summary>Free the device-side stream context named by <c>StreamId</c> without finishing the stream (ZIP).</summary>
    StreamRelease = 0x12,
}
