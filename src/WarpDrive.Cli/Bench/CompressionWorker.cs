using WarpDrive.Compression;

namespace WarpDrive.Cli.Bench;

/// <summary>Deflate, zlib or gzip blocks (block mode) on a <see cref="CompressionSession"/>.</summary>
internal sealed class CompressionWorker : SessionWorker<CompressionResult>
{
    private readonly CompressionSession _session;

    public CompressionWorker(BenchInput input, WdRuntime runtime, WdRuntime? shareWith, int depth)
        : base(input, shareWith, depth)
    {
        _session = new CompressionSession(new CompressionSessionOptions
        {
            Algorithm = input.Settings.Algorithm.Compression,
            Direction = input.Settings.Decompress ? CompressionDirection.Decompress : CompressionDirection.Compress,
            Level = input.Settings.Level,
        }, runtime);
    }

    public override void RunSync() => LastOutputBytes = Check(_session.Process(Source.Span, Outputs[0].Span));

    protected override ValueTask<CompressionResult> StartRequest(Memory<byte> output) => _session.ProcessAsync(Source, output);

    protected override int Check(CompressionResult result)
    {
        if (!result.IsOk || result.Produced <= 0)
        {
            Fail($"a block failed: {result.DescribeError()}");
        }

        return result.Produced;
    }

    protected override void DisposeSession() => _session.Dispose();
}
