using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>The runtime's zlib-ng (the engine behind System.IO.Compression), bound through its native shim.</summary>
internal sealed class ZlibNgEngine : DeflateEngine
{
    public override string Name => "zlib-ng";

    internal override Codec CreateCompressor() => new ZlibNgCompressor();

    internal override Codec CreateDecompressor() => new ZlibNgDecompressor();

    /// <summary>zlib's windowBits convention: negative for raw deflate, +16 for gzip.</summary>
    internal static int WindowBits(CompAlgorithm algorithm, int windowBits) => algorithm switch
    {
        CompAlgorithm.Deflate => -windowBits,
        CompAlgorithm.Gzip => windowBits + 16,
        _ => windowBits,
    };
}
