using BenchmarkDotNet.Attributes;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices.Engines;

using WarpDrive.Tests;

namespace WarpDrive.Benchmarks;

/// <summary>64 KiB gzip blocks at level 1: through the queue (session, block mode) against the same engine called
/// directly on the caller's thread. Target: the queue keeps at least 95% of the direct throughput.</summary>
[MemoryDiagnoser]
public class DeflateBlockBenchmark
{
    private const int BlockSize = 64 * 1024;

    private byte[] _input = null!;
    private byte[] _output = null!;
    private WdRuntime _runtime = null!;
    private CompressionSession _session = null!;
    private Codec _direct = null!;

    [Params("isal", "zlib")]
    public string Engine { get; set; } = "isal";

    [GlobalSetup]
    public void Setup()
    {
        _input = TestData.Text(BlockSize, seed: 42);
        _output = new byte[CompressionSession.GetMaxCompressedLength(BlockSize)];
        _runtime = new WdRuntime(new WdRuntimeOptions
        {
            EmbeddedZipEngine = Engine,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 1, WorkerCount = 1, SpinBeforeSleep = TimeSpan.FromMilliseconds(5) },
        });
        _session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Level = 1 }, _runtime);
        DeflateEngine engine = Engine == "isal" ? DeflateEngine.Isal ?? throw new InvalidOperationException("libisal2 missing") : DeflateEngine.Zlib;
        _direct = engine.CreateCompressor();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Dispose();
        _runtime.Dispose();
        _direct.Dispose();
    }

    [Benchmark(Baseline = true)]
    public unsafe int Direct()
    {
        _direct.Reset(CompAlgorithm.Gzip, 1, 15);
        fixed (byte* i = _input)
        fixed (byte* o = _output)
        {
            _direct.Process(i, _input.Length, o, _output.Length, FlushMode.Finish, out _, out int produced, out _);
            return produced;
        }
    }

    [Benchmark]
    public int ThroughQueue() => _session.Process(_input, _output).Produced;
}
