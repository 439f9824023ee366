using System.Runtime.InteropServices;

namespace WarpDrive.Abi;

/// <summary>A completion queue entry: 32 bytes, the outcome of one request. Byte layout in docs/QUEUE-ABI.md.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct Cqe
{
    /// <summary>Size of a CQE in bytes.</summary>
    public const int Size = 32;

    /// <summary>Offset of <see cref="Seq"/>, the publication word.</summary>
    public const int SeqOffset = 28;

    /// <summary>The request's <see cref="Sqe.UserData"/>.</summary>
    [FieldOffset(0)] public ulong UserData;

    /// <summary>Bytes written to the destination.</summary>
    [FieldOffset(8)] public uint Produced;

    /// <summary>Bytes of input consumed (meaningful in stream mode and for <see cref="CompletionStatus.OutOfSpace"/>).</summary>
    [FieldOffset(12)] public uint Consumed;

    /// <summary>Running checksum of the uncompressed data: CRC-32 for gzip and raw deflate, Adler-32 for zlib; zero for
    /// zstd and LZ4, whose frames carry and check their own content checksums (XXH64, XXH32).</summary>
    [FieldOffset(16)] public uint Checksum;

    /// <summary>Outcome.</summary>
    [FieldOffset(20)] public CompletionStatus Status;

    /// <summary>Completion flags.</summary>
    [FieldOffset(22)] public CqeFlags Flags;

    /// <summary>Status detail, for example a <see cref="DataErrorKind"/>.</summary>
    [FieldOffset(24)] public uint Detail;

    /// <summary>Publication word: the ring position + 1 (mod 2^32), stored last.</summary>
    [FieldOffset(SeqOffset)] public uint Seq;
}
