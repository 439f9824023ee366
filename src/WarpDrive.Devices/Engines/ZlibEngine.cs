using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>The system zlib (Debian zlib1g, libz.so.1) through its public ABI: the fallback where ISA-L is absent.</summary>
internal sealed class ZlibEngine : DeflateEngine
{
    public override string Name => "zlib";

    internal override Codec CreateCompressor() => new ZlibCompressor();

    internal override Codec CreateDecompressor() => new ZlibDecompressor();

    /// <summary>zlib's windowBits convention: negative for raw deflate, +16 for gzip.</summary>
    internal static int WindowBits(CompAlgorithm algorithm, int windowBits) => algorithm switch
    {
        CompAlgorithm.Deflate => -windowBits,
        CompAlgorithm.Gzip => windowBits + 16,
        _ => windowBits,
    };
}
