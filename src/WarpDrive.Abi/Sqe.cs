using System.Runtime.InteropServices;

namespace WarpDrive.Abi;

/// <summary>A submission queue entry: 64 bytes, one request. Byte layout in docs/QUEUE-ABI.md.</summary>
/// <remarks>The producer writes every field, then publishes the slot by storing <see cref="Seq"/> (position + 1)
/// with release semantics. The device copies the whole entry out of shared memory before it validates it.</remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct Sqe
{
    /// <summary>Size of an SQE in bytes.</summary>
    public const int Size = 64;

    /// <summary>Offset of <see cref="Seq"/>, the publication word.</summary>
    public const int SeqOffset = 60;

    /// <summary>Opaque tag echoed in the completion.</summary>
    [FieldOffset(0)] public ulong UserData;

    /// <summary>What to do.</summary>
    [FieldOffset(8)] public Opcode Opcode;

    /// <summary>Algorithm within the opcode family (for ZIP: <see cref="CompAlgorithm"/>).</summary>
    [FieldOffset(9)] public byte Algorithm;

    /// <summary>Request flags.</summary>
    [FieldOffset(10)] public SqeFlags Flags;

    /// <summary>Compression level (ZIP compress): 0-9 for deflate, zlib and gzip; for zstd and LZ4 the byte is read as
    /// signed (<c>(sbyte)Level</c>), so negative fast levels fit.</summary>
    [FieldOffset(12)] public byte Level;

    /// <summary>SEC and HPRE: the request's mode (same byte as <see cref="Level"/>): <see cref="DigestMode"/> for a
    /// digest, <see cref="RsaPadding"/> for RSA.</summary>
    [FieldOffset(12)] public byte Mode;

    /// <summary>log2 of the history window, 9-15; 0 means 15.</summary>
    [FieldOffset(13)] public byte WindowBits;

    /// <summary>HPRE: the hash a padding or signature scheme uses, a <see cref="DigestAlgorithm"/> (same byte as
    /// <see cref="WindowBits"/>).</summary>
    [FieldOffset(13)] public byte Hash;

    /// <summary>Reserved, must be zero.</summary>
    [FieldOffset(14)] public ushort Reserved0;

    /// <summary>Source address in the client's address space (or of a data-list table).</summary>
    [FieldOffset(16)] public ulong Src;

    /// <summary>Destination address in the client's address space.</summary>
    [FieldOffset(24)] public ulong Dst;

    /// <summary>Source length in bytes, or the number of data-list entries with <see cref="SqeFlags.SrcDataList"/>.</summary>
    [FieldOffset(32)] public uint SrcLen;

    /// <summary>Destination capacity in bytes.</summary>
    [FieldOffset(36)] public uint DstLen;

    /// <summary>Device-side stream context, below the device's <c>max_streams</c> (stream mode only).</summary>
    [FieldOffset(40)] public uint StreamId;

    /// <summary>An opcode's 32-bit argument (RSA key generation: the modulus size in bits); zero where unused.</summary>
    [FieldOffset(44)] public uint Arg;

    /// <summary>SEC and HPRE: address of the request's <see cref="CryptoParams"/> block (keys, IV, associated data) in
    /// device-visible memory; zero for ZIP.</summary>
    [FieldOffset(48)] public ulong Params;

    /// <summary>Reserved, must be zero.</summary>
    [FieldOffset(56)] public uint Reserved3;

    /// <summary>Publication word: the ring position + 1 (mod 2^32), stored last.</summary>
    [FieldOffset(SeqOffset)] public uint Seq;
}
