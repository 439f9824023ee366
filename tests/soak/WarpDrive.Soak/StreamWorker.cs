using System.IO.Compression;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Soak;

/// <summary>Stream-mode gzip and deflate through <see cref="WdGZipStream"/> and <see cref="WdDeflateStream"/> (each
/// stream its own session and device stream context): data of up to 1 MiB written in random pieces, synchronously or
/// asynchronously, checked with System.IO.Compression, then read back through a decompressing stream and compared.
/// A compressing stream and a decompressing stream are one request each.</summary>
internal sealed class StreamWorker(WdRuntime runtime, RequestLedger ledger, int seed) : LoadWorker(runtime, ledger, seed)
{
    private const int MaxLength = 1 << 20;

    public override async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await RoundTripAsync(SoakData.Algorithm(Random), isAsync: Random.Next(2) == 0);
        }
    }

    private WdCompressionStream Open(CompressionAlgorithm algorithm, Stream inner, CompressionMode mode) => algorithm == CompressionAlgorithm.Gzip
        ? new WdGZipStream(inner, mode, Random.Next(1, 10), leaveOpen: true, Runtime)
        : new WdDeflateStream(inner, mode, Random.Next(1, 10), leaveOpen: true, Runtime);

    private async Task RoundTripAsync(CompressionAlgorithm algorithm, bool isAsync)
    {
        byte[] data = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        string how = isAsync ? "async" : "sync";
        using var packed = new MemoryStream();
        long id = Ledger.Begin($"{algorithm} stream compress {how} {data.Length} B");
        try
        {
            WdCompressionStream z = Open(algorithm, packed, CompressionMode.Compress);
            await using (z.ConfigureAwait(false))
            {
                for (int at = 0; at < data.Length;)
                {
                    int piece = Math.Min(data.Length - at, Random.Next(1, 128 << 10));
                    if (isAsync)
                    {
                        await z.WriteAsync(data.AsMemory(at, piece));
                    }
                    else
                    {
                        z.Write(data, at, piece);
                    }

                    at += piece;
                }
            }

            if (!SoakData.Inflate(algorithm, packed.ToArray()).AsSpan().SequenceEqual(data))
            {
                Ledger.Mismatch(id, "System.IO.Compression does not read the stream's output back to the input");
                return;
            }

            Ledger.Ok(id);
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
            return;
        }

        packed.Position = 0;
        id = Ledger.Begin($"{algorithm} stream decompress {how} {packed.Length} B");
        try
        {
            using var unpacked = new MemoryStream();
            WdCompressionStream z = Open(algorithm, packed, CompressionMode.Decompress);
            await using (z.ConfigureAwait(false))
            {
                if (isAsync)
                {
                    await z.CopyToAsync(unpacked);
                }
                else
                {
                    z.CopyTo(unpacked);
                }
            }

            if (!unpacked.ToArray().AsSpan().SequenceEqual(data))
            {
                Ledger.Mismatch(id, $"stream round trip gave {unpacked.Length} bytes that differ from the {data.Length} written");
                return;
            }

            Ledger.Ok(id);
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }
}
