using WarpDrive.Compression;

namespace WarpDrive.Soak;

/// <summary>Block-mode gzip and deflate through <see cref="CompressionSession"/>: compress then decompress on the device,
/// synchronously (<see cref="CompressionSession.Process(ReadOnlySpan{byte}, Span{byte}, bool, bool)"/>) or asynchronously
/// (<see cref="CompressionSession.ProcessAsync"/>); the round trip must give the input back, and one compressed
/// output in four is also checked with System.IO.Compression.</summary>
internal sealed class BlockCompressionWorker(WdRuntime runtime, RequestLedger ledger, int seed) : LoadWorker(runtime, ledger, seed)
{
    private const int MaxLength = 256 << 10;

    public override async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            CompressionAlgorithm algorithm = SoakData.Algorithm(Random);
            using var compressor = new CompressionSession(new CompressionSessionOptions { Algorithm = algorithm, Level = Random.Next(1, 10) }, Runtime);
            using var decompressor = new CompressionSession(
                new CompressionSessionOptions { Algorithm = algorithm, Direction = CompressionDirection.Decompress }, Runtime);
            for (int uses = SessionLifetime(); uses > 0 && !stop.IsCancellationRequested; uses--)
            {
                await RoundTripAsync(compressor, decompressor, algorithm, isAsync: Random.Next(2) == 0);
            }
        }
    }

    private async Task RoundTripAsync(CompressionSession compressor, CompressionSession decompressor, CompressionAlgorithm algorithm, bool isAsync)
    {
        byte[] data = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(data.Length)];
        string how = isAsync ? "async" : "sync";
        long id = Ledger.Begin($"{algorithm} block compress {how} {data.Length} B");
        int packedLength;
        try
        {
            CompressionResult r = isAsync ? await compressor.ProcessAsync(data, packed) : compressor.Process(data, packed);
            if (!r.IsOk)
            {
                Ledger.Error(id, $"{r.Status} {r.DescribeError()}");
                return;
            }

            packedLength = r.Produced;
            if (Random.Next(4) == 0 && !SoakData.Inflate(algorithm, packed.AsSpan(0, packedLength)).AsSpan().SequenceEqual(data))
            {
                Ledger.Mismatch(id, "System.IO.Compression does not read the device's output back to the input");
                return;
            }

            Ledger.Ok(id);
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
            return;
        }

        byte[] back = new byte[data.Length + 64];
        id = Ledger.Begin($"{algorithm} block decompress {how} {packedLength} B");
        try
        {
            ReadOnlyMemory<byte> source = packed.AsMemory(0, packedLength);
            CompressionResult r = isAsync ? await decompressor.ProcessAsync(source, back) : decompressor.Process(source.Span, back);
            if (!r.IsOk)
            {
                Ledger.Error(id, $"{r.Status} {r.DescribeError()}");
            }
            else if (r.Produced != data.Length || !back.AsSpan(0, r.Produced).SequenceEqual(data))
            {
                Ledger.Mismatch(id, $"round trip gave {r.Produced} bytes that differ from the {data.Length} compressed");
            }
            else
            {
                Ledger.Ok(id);
            }
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }
}
