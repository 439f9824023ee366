using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using WarpDrive.Compression;
using WarpDrive.Streams;
using WarpDrive.Tests;

namespace WarpDrive.Benchmarks;

/// <summary>What a response costs through a gzip stream: 100 KB of JSON-like text written in pieces of 4 KB (as a
/// serialiser or a middleware writes), then disposed, through the runtime's <see cref="GZipStream"/> and
/// <see cref="WdGZipStream"/> at the same level (issue 17: CPU per response &lt;= GZipStream's). The benchmark runs on
/// one thread, so its time is the response's CPU (the stream runs inline on an in-process device).</summary>
[MemoryDiagnoser]
public class StreamWriteBenchmark
{
    private byte[] _body = null!;
    private MemoryStream _sink = null!;
    private WdRuntime _runtime = null!;

    [Params(4096, 100 * 1024)]
    public int Write { get; set; }

    [Params(CompressionLevel.Fastest, CompressionLevel.Optimal)]
    public CompressionLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _body = TestData.Text(100 * 1024, seed: 17);
        _sink = new MemoryStream(200 * 1024);
        _runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime.Dispose();

    [Benchmark(Baseline = true)]
    public long GZipStream()
    {
        _sink.Position = 0;
        using (var gz = new GZipStream(_sink, Level, leaveOpen: true))
        {
            WritePieces(gz);
        }

        return _sink.Position;
    }

    [Benchmark]
    public long WdGZipStream()
    {
        _sink.Position = 0;
        using (var gz = new WdGZipStream(_sink, CompressionMode.Compress,
            new WdCompressionStreamOptions { Level = CompressionSessionOptions.ToLevel(Level), LeaveOpen = true, Runtime = _runtime }))
        {
            WritePieces(gz);
        }

        return _sink.Position;
    }

    private void WritePieces(Stream stream)
    {
        for (int offset = 0; offset < _body.Length; offset += Write)
        {
            stream.Write(_body, offset, Math.Min(Write, _body.Length - offset));
        }
    }
}
