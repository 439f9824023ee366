using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>A HiSilicon ZIP submission queue entry: 128 bytes, 32 little-endian dwords (UADK's
/// <c>struct hisi_zip_sqe</c> in <c>drv/hisi_comp.c</c>). The device writes its results (consumed, produced,
/// status, checksum, isize) back into the same entry; the CQE names the slot.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiZipSqe
{
    /// <summary>Size of an SQE in bytes (<c>QM_SQE_SIZE</c> for ZIP).</summary>
    public const int Size = 128;

    /// <summary>Bytes of device-visible memory a stream needs for its context (<c>HW_CTX_SIZE</c>).</summary>
    public const int StreamContextSize = 0x10000;

    /// <summary>dw3 bits 0-7: the status.</summary>
    public const uint StatusMask = 0xff;

    /// <summary>dw3 bit 8: decompression reached the last block (<c>HZ_LSTBLK_MASK</c>).</summary>
    public const uint LastBlockBit = 0x100;

    /// <summary>ctx_dw0 bits 0-3: the stream state (<see cref="HisiZipContextState"/>).</summary>
    public const uint ContextStateMask = 0xf;

    /// <summary>Buffer type (dw9 bits 8-11): flat buffers.</summary>
    public const uint BufferFlat = 0;

    /// <summary>Buffer type (dw9 bits 8-11): <see cref="HisiSgl"/> chains.</summary>
    public const uint BufferSgl = 1;

    /// <summary>Window size (dw9 bits 12-15) of a 32 KiB history (<c>WD_COMP_WS_32K</c>); 0 is 4 KiB, 1 8 KiB, 2 16 KiB, 3 24 KiB.</summary>
    public const uint Window32K = 4;

    /// <summary>dw7 bits 0-23: with SGL buffers, input bytes the device skips (UADK skips a gzip or zlib header so).</summary>
    public const uint InSgeOffsetMask = 0xffffff;

    /// <summary>dw7 bit 25: the flush type (0 sync flush, 1 finish).</summary>
    public const int FlushTypeShift = 25;

    /// <summary>dw7 bit 26: stateful (stream) mode.</summary>
    public const int StreamModeShift = 26;

    /// <summary>dw7 bit 27: the first request of a stream.</summary>
    public const int StreamNewShift = 27;

    /// <summary>dw7 bits 28-31: the SQE type (0 for v1 tags in dw13, 3 for v3 tags in dw26).</summary>
    public const int SqeTypeShift = 28;

    /// <summary>dw9 bits 0-7: the request type (<see cref="HisiZipAlgorithm"/>).</summary>
    public const uint RequestTypeMask = 0xff;

    /// <summary>dw9 bits 8-11: the buffer type (0 flat buffers, 1 SGL).</summary>
    public const int BufferTypeShift = 8;

    /// <summary>dw9 bits 12-15: the window size.</summary>
    public const int WindowSizeShift = 12;

    /// <summary><c>consumed</c>: input bytes the device consumed (result).</summary>
    [FieldOffset(0)] public uint Consumed;

    /// <summary><c>produced</c>: output bytes the device produced (result).</summary>
    [FieldOffset(4)] public uint Produced;

    /// <summary><c>comp_data_length</c>.</summary>
    [FieldOffset(8)] public uint CompDataLength;

    /// <summary><c>dw3</c>: the status in bits 0-7 (<see cref="HisiZipStatus"/>).</summary>
    [FieldOffset(12)] public uint Dw3;

    /// <summary><c>input_data_length</c>.</summary>
    [FieldOffset(16)] public uint InputDataLength;

    /// <summary><c>dw5</c>.</summary>
    [FieldOffset(20)] public uint Dw5;

    /// <summary><c>dw6</c>.</summary>
    [FieldOffset(24)] public uint Dw6;

    /// <summary><c>dw7</c>: input SGE offset, flush type, stream mode, new stream, SQE type.</summary>
    [FieldOffset(28)] public uint Dw7;

    /// <summary><c>dw8</c>: output SGE offset in bits 0-23.</summary>
    [FieldOffset(32)] public uint Dw8;

    /// <summary><c>dw9</c>: request type, buffer type, window size.</summary>
    [FieldOffset(36)] public uint Dw9;

    /// <summary><c>dw10</c>.</summary>
    [FieldOffset(40)] public uint Dw10;

    /// <summary><c>dw11</c>.</summary>
    [FieldOffset(44)] public uint Dw11;

    /// <summary><c>dw12</c>.</summary>
    [FieldOffset(48)] public uint Dw12;

    /// <summary><c>dw13</c>: the tag for SQE type 0.</summary>
    [FieldOffset(52)] public uint Dw13;

    /// <summary><c>dest_avail_out</c>: room in the destination.</summary>
    [FieldOffset(56)] public uint DestAvailOut;

    /// <summary><c>ctx_dw0</c>: stream context word the device returns.</summary>
    [FieldOffset(60)] public uint ContextDw0;

    /// <summary><c>dw16</c>.</summary>
    [FieldOffset(64)] public uint Dw16;

    /// <summary><c>dw17</c>.</summary>
    [FieldOffset(68)] public uint Dw17;

    /// <summary><c>source_addr_l</c>/<c>_h</c>: the input (or its SGL).</summary>
    [FieldOffset(72)] public ulong SourceAddress;

    /// <summary><c>dest_addr_l</c>/<c>_h</c>: the output (or its SGL).</summary>
    [FieldOffset(80)] public ulong DestinationAddress;

    /// <summary><c>stream_ctx_addr_l</c>/<c>_h</c>: the stream's 64 KiB context.</summary>
    [FieldOffset(88)] public ulong StreamContextAddress;

    /// <summary><c>literals_addr_l</c>/<c>_h</c>.</summary>
    [FieldOffset(96)] public ulong LiteralsAddress;

    /// <summary><c>dw26</c>: the tag for SQE type 3.</summary>
    [FieldOffset(104)] public uint Dw26;

    /// <summary><c>dw27</c>.</summary>
    [FieldOffset(108)] public uint Dw27;

    /// <summary><c>ctx_dw1</c>.</summary>
    [FieldOffset(112)] public uint ContextDw1;

    /// <summary><c>ctx_dw2</c>.</summary>
    [FieldOffset(116)] public uint ContextDw2;

    /// <summary><c>isize</c>: input size so far (gzip's ISIZE).</summary>
    [FieldOffset(120)] public uint Isize;

    /// <summary><c>dw31</c>: the checksum (CRC-32 for gzip, Adler-32 for zlib).</summary>
    [FieldOffset(124)] public uint Checksum;

    /// <summary>The status the device wrote back.</summary>
    public readonly HisiZipStatus Status => (HisiZipStatus)(Dw3 & StatusMask);

    /// <summary>The stream state in <see cref="ContextDw0"/>.</summary>
    public readonly HisiZipContextState ContextState => (HisiZipContextState)(ContextDw0 & ContextStateMask);

    /// <summary>The request type in <see cref="Dw9"/>.</summary>
    public readonly HisiZipAlgorithm Algorithm => (HisiZipAlgorithm)(Dw9 & RequestTypeMask);
}
