using System.Runtime.InteropServices;
using static WarpDrive.Devices.Interop.Lz4;

namespace WarpDrive.Devices.Engines;

/// <summary>liblz4's frame compressor (LZ4F): 64 KiB linked blocks and a content checksum (the lz4 CLI's frames use
/// 4 MiB independent blocks; every LZ4 frame decoder reads both).</summary>
internal sealed unsafe class Lz4Compressor : StagedFrameCompressor
{
    private nint _context;
    private Preferences* _preferences = (Preferences*)NativeMemory.AllocZeroed((nuint)sizeof(Preferences));

    public Lz4Compressor()
    {
        nint context;
        Check(CreateCompressionContext(&context, Interop.Lz4.Version));
        _context = context;
        _preferences->BlockSizeId = BlockSize64K;
        _preferences->ContentChecksum = 1;
    }

    protected override int StagingCapacity => (int)CompressBound(ChunkSize, _preferences) + HeaderMax;

    /// <summary>LZ4F_HEADER_SIZE_MAX.</summary>
    private const int HeaderMax = 19;

    protected override void ResetFrame(int level) => _preferences->CompressionLevel = level;

    protected override int Begin(byte* output, int capacity) => Check(CompressBegin(_context, output, (nuint)capacity, _preferences));

    protected override int Update(byte* input, int length, byte* output, int capacity) =>
        Check(CompressUpdate(_context, output, (nuint)capacity, input, (nuint)length, null));

    protected override int FlushBlock(byte* output, int capacity) => Check(Flush(_context, output, (nuint)capacity, null));

    protected override int End(byte* output, int capacity) => Check(CompressEnd(_context, output, (nuint)capacity, null));

    private static int Check(nuint code) => IsError(code) != 0
        ? throw new InvalidOperationException($"LZ4F compression failed: {Marshal.PtrToStringUTF8((nint)GetErrorName(code))}")
        : (int)code;

    public override void Dispose()
    {
        base.Dispose();
        if (_context != 0)
        {
            _ = FreeCompressionContext(_context);
            _context = 0;
        }

        NativeMemory.Free(_preferences);
        _preferences = null;
    }
}
