using System.Buffers.Binary;
using System.IO.Hashing;

namespace WarpDrive.Devices.Engines;

/// <summary>Constants and small pieces of the LZ4 frame format (lz4_Frame_format.md), for the managed engine.</summary>
internal static class Lz4Frame
{
    public const uint Magic = 0x184D2204;

    /// <summary>Skippable frames: magic 0x184D2A50 to 0x184D2A5F, a 4-byte length, that many bytes.</summary>
    public const uint SkippableMagic = 0x184D2A50, SkippableMask = 0xFFFFFFF0;

    /// <summary>FLG bits.</summary>
    public const int VersionMask = 0xC0, Version = 0x40, BlockIndependence = 0x20, BlockChecksum = 0x10, ContentSize = 0x08,
        ContentChecksum = 0x04, Reserved = 0x02, DictionaryId = 0x01;

    /// <summary>The high bit of a block size: the block is stored uncompressed.</summary>
    public const uint Uncompressed = 0x80000000;

    /// <summary>Most history a linked block refers to.</summary>
    public const int WindowSize = 64 * 1024;

    /// <summary>Block maximum size of the BD byte's id (4-7), or -1 when invalid (BD's other bits must be zero).</summary>
    public static int BlockMaxSize(byte bd) => (bd & 0x8F) != 0 || bd >> 4 < 4 ? -1 : 1 << (8 + (2 * (bd >> 4)));

    /// <summary>The descriptor's check byte: the second byte of XXH32 of FLG up to the byte before it.</summary>
    public static byte HeaderChecksum(ReadOnlySpan<byte> descriptor) => (byte)(XxHash32.HashToUInt32(descriptor) >> 8);

    public static uint ReadUInt32(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
