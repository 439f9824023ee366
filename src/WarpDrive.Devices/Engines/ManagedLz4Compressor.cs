using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;

namespace WarpDrive.Devices.Engines;

/// <summary>The LZ4 frame format written in C# over K4os's block compressor: 64 KiB independent blocks and a content
/// checksum. Levels below 3 are the fast compressor (K4os has no acceleration factor: negative levels run at its one
/// fast setting), 3-12 LZ4 HC.</summary>
internal sealed unsafe class ManagedLz4Compressor : StagedFrameCompressor
{
    private const int BlockSize = 64 * 1024;
    private const int HeaderLength = 7;
    private readonly XxHash32 _contentHash = new();
    private byte* _block = (byte*)NativeMemory.Alloc(BlockSize);
    private int _blockLength;
    private LZ4Level _level;

    /// <summary>A block written stored is its size plus 4; the end adds the end mark and checksum.</summary>
    protected override int StagingCapacity => HeaderLength + BlockSize + 16;

    protected override void ResetFrame(int level)
    {
        _level = level < 3 ? LZ4Level.L00_FAST : (LZ4Level)Math.Min(level, (int)LZ4Level.L12_MAX);
        _contentHash.Reset();
        _blockLength = 0;
    }

    protected override int Begin(byte* output, int capacity)
    {
        var header = new Span<byte>(output, HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Lz4Frame.Magic);
        header[4] = Lz4Frame.Version | Lz4Frame.BlockIndependence | Lz4Frame.ContentChecksum;
        header[5] = 4 << 4; // 64 KiB blocks
        header[6] = Lz4Frame.HeaderChecksum(header.Slice(4, 2));
        return HeaderLength;
    }

    protected override int Update(byte* input, int length, byte* output, int capacity)
    {
        _contentHash.Append(new ReadOnlySpan<byte>(input, length));
        int written = 0;
        while (length > 0)
        {
            int n = Math.Min(length, BlockSize - _blockLength);
            Buffer.MemoryCopy(input, _block + _blockLength, n, n);
            _blockLength += n;
            input += n;
            length -= n;
            if (_blockLength == BlockSize)
            {
                written += WriteBlock(output + written);
            }
        }

        return written;
    }

    protected override int FlushBlock(byte* output, int capacity) => _blockLength == 0 ? 0 : WriteBlock(output);

    protected override int End(byte* output, int capacity)
    {
        int written = FlushBlock(output, capacity);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(output + written, 4), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(output + written + 4, 4), _contentHash.GetCurrentHashAsUInt32());
        return written + 8;
    }

    /// <summary>Compresses the buffered block, or stores it when it does not shrink.</summary>
    private int WriteBlock(byte* output)
    {
        int n = LZ4Codec.Encode(_block, _blockLength, output + 4, _blockLength - 1, _level);
        uint size = (uint)n;
        if (n <= 0)
        {
            Buffer.MemoryCopy(_block, output + 4, _blockLength, _blockLength);
            n = _blockLength;
            size = (uint)n | Lz4Frame.Uncompressed;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(new Span<byte>(output, 4), size);
        _blockLength = 0;
        return n + 4;
    }

    public override void Dispose()
    {
        base.Dispose();
        NativeMemory.Free(_block);
        _block = null;
    }
}
