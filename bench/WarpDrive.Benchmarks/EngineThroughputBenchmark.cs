using BenchmarkDotNet.Attributes;
using WarpDrive.Abi;
using WarpDrive.Devices.Engines;

using WarpDrive.Tests;

namespace WarpDrive.Benchmarks;

/// <summary>ISA-L against the system zlib on 1 MiB of text, called directly (single core).</summary>
public class EngineThroughputBenchmark
{
    private const int Size = 1 << 20;

    private byte[] _input = null!;
    private byte[] _compressed = null!;
    private byte[] _output = null!;
    private int _compressedLength;
    private Codec _compressor = null!;
    private Codec _decompressor = null!;

    [Params("isal", "zlib")]
    public string Engine { get; set; } = "isal";

    [Params(1, 6)]
    public int Level { get; set; }

    [GlobalSetup]
    public unsafe void Setup()
    {
        DeflateEngine engine = Engine == "isal" ? DeflateEngine.Isal ?? throw new InvalidOperationException("libisal2 missing") : DeflateEngine.Zlib;
        _compressor = engine.CreateCompressor();
        _decompressor = engine.CreateDecompressor();
        _input = TestData.Text(Size, seed: 42);
        _compressed = new byte[Size * 2];
        _output = new byte[Size];
        _compressedLength = Compress();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _compressor.Dispose();
        _decompressor.Dispose();
    }

    [Benchmark]
    public unsafe int Compress()
    {
        _compressor.Reset(CompAlgorithm.Deflate, Level, 15);
        fixed (byte* i = _input)
        fixed (byte* o = _compressed)
        {
            _compressor.Process(i, _input.Length, o, _compressed.Length, FlushMode.Finish, out _, out int produced, out _);
            return produced;
        }
    }

    [Benchmark]
    public unsafe int Decompress()
    {
        _decompressor.Reset(CompAlgorithm.Deflate, 0, 15);
        fixed (byte* i = _compressed)
        fixed (byte* o = _output)
        {
            _decompressor.Process(i, _compressedLength, o, _output.Length, FlushMode.Finish, out _, out int produced, out _);
            return produced;
        }
    }
}
