using WarpDrive.Compression;

namespace WarpDrive.Soak;

/// <summary>Shared memory churn: every 0.1 to 1 s reserves a region of 4 KiB to 4 MiB from the broker
/// (<see cref="WdRuntime.ReserveMemory"/>), writes and reads it back, compresses its first half into its second half
/// in place (the SHARE path, checked with System.IO.Compression), holds up to four regions at a time and frees the
/// oldest at random.</summary>
internal sealed class SharedMemoryWorker(WdRuntime runtime, RequestLedger ledger, int seed) : LoadWorker(runtime, ledger, seed)
{
    public override async Task RunAsync(CancellationToken stop)
    {
        var held = new Queue<WdSharedMemory>();
        using var compressor = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, Runtime);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(Random.Next(100, 1000), stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                WdSharedMemory region = Runtime.ReserveMemory(Random.Next(4 << 10, (4 << 20) + 1));
                held.Enqueue(region);
                await CompressInPlaceAsync(compressor, region);
                while (held.Count > Random.Next(0, 5))
                {
                    held.Dequeue().Dispose();
                }
            }
        }
        finally
        {
            while (held.TryDequeue(out WdSharedMemory? region))
            {
                region.Dispose();
            }
        }
    }

    private async Task CompressInPlaceAsync(CompressionSession compressor, WdSharedMemory region)
    {
        int half = region.Length / 2;
        int length = (half - 256) * 8 / 9; // GetMaxCompressedLength(length) fits in the second half
        byte[] data = SoakData.Make(Random, length);
        data.CopyTo(region.GetSpan());
        long id = Ledger.Begin($"gzip compress in shared memory {length} B");
        if (!region.GetSpan()[..length].SequenceEqual(data))
        {
            Ledger.Mismatch(id, "the region does not read back what was written");
            return;
        }

        try
        {
            CompressionResult r = await compressor.ProcessAsync(region.Memory[..length], region.Memory[half..]);
            if (!r.IsOk)
            {
                Ledger.Error(id, $"{r.Status} {r.DescribeError()}");
            }
            else if (!SoakData.Inflate(CompressionAlgorithm.Gzip, region.GetSpan().Slice(half, r.Produced)).AsSpan().SequenceEqual(data))
            {
                Ledger.Mismatch(id, "System.IO.Compression does not read the device's output back to the input");
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
