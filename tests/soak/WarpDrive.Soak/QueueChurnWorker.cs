using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;

namespace WarpDrive.Soak;

/// <summary>Queue churn: sessions share their runtime's contexts, so disposing a session keeps its queue open. Every
/// 0.2 to 2 s this worker either opens one to four raw queues (<see cref="WdRuntime.RequestQueue(string)"/>) of gzip,
/// deflate, digest, aead or rsa and releases them, or opens a short-lived runtime of its own, runs a gzip round trip and
/// a SHA-256 on it (their queues opened on first use) and disposes it, which releases every queue it opened.</summary>
internal sealed class QueueChurnWorker(WdRuntime runtime, RequestLedger ledger, int seed) : LoadWorker(runtime, ledger, seed)
{
    private static readonly string[] s_algorithms = ["gzip", "deflate", "digest", "aead", "rsa"];

    public override async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Random.Next(200, 2000), stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (Random.Next(2) == 0)
            {
                var queues = new List<WdQueue>();
                try
                {
                    for (int n = Random.Next(1, 5); n > 0; n--)
                    {
                        queues.Add(Runtime.RequestQueue(s_algorithms[Random.Next(s_algorithms.Length)]));
                    }

                    await Task.Delay(Random.Next(0, 500), CancellationToken.None);
                }
                finally
                {
                    queues.ForEach(q => q.Dispose());
                }
            }
            else
            {
                await ShortLivedRuntimeAsync();
            }
        }
    }

    private async Task ShortLivedRuntimeAsync()
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Broker,
            BrokerRunDirectory = Runtime.Options.BrokerRunDirectory,
            MaxContextsPerAlgorithm = 1,
        });
        using var compressor = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        byte[] data = SoakData.Make(Random, SoakData.Length(Random, 64 << 10));
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(data.Length)];
        long id = Ledger.Begin($"gzip compress on a short-lived runtime {data.Length} B");
        try
        {
            CompressionResult r = await compressor.ProcessAsync(data, packed);
            if (!r.IsOk)
            {
                Ledger.Error(id, $"{r.Status} {r.DescribeError()}");
            }
            else if (!SoakData.Inflate(CompressionAlgorithm.Gzip, packed.AsSpan(0, r.Produced)).AsSpan().SequenceEqual(data))
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

        byte[] hash = new byte[32];
        id = Ledger.Begin($"sha256 on a short-lived runtime {data.Length} B");
        try
        {
            int n = sha.ComputeHash(data, hash);
            if (n == 32 && hash.AsSpan().SequenceEqual(SHA256.HashData(data)))
            {
                Ledger.Ok(id);
            }
            else
            {
                Ledger.Mismatch(id, "the digest differs from SHA256.HashData");
            }
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }
}
