using System.Security.Cryptography;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Reliability;

/// <summary>A well-behaved client running beside whatever a test does to the broker: gzip round trips of random
/// sizes (and, with <c>digests</c>, SHA-256 on the SEC device) in a loop on its own thread, every result checked
/// against the runtime. <see cref="StopAsync"/> rethrows the first wrong result or error.</summary>
internal sealed class WellBehavedClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _rounds;

    private WellBehavedClient(WdRuntime runtime, bool digests)
    {
        _loop = Task.Factory.StartNew(() => Loop(runtime, digests), TaskCreationOptions.LongRunning);
    }

    /// <summary>Checked round trips so far.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Whether the loop ended (it only ends early on a failure).</summary>
    public bool HasStopped => _loop.IsCompleted;

    public static WellBehavedClient Start(WdRuntime runtime, bool digests = false) => new(runtime, digests);

    /// <summary>Waits until <paramref name="more"/> further rounds are done (false if the loop failed or time ran out).</summary>
    public async Task<bool> AdvancesAsync(long more, TimeSpan timeout)
    {
        long target = Rounds + more;
        return await Broker.BrokerTestKit.EventuallyAsync(() => Rounds >= target || HasStopped, timeout) && !HasStopped;
    }

    /// <summary>Stops the loop; rethrows its failure, if any.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    private void Loop(WdRuntime runtime, bool digests)
    {
        const int Max = 256 << 10;
        byte[] text = TestData.Text(Max, seed: 21);
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(Max)];
        byte[] back = new byte[Max];
        byte[] hash = new byte[32];
        var random = new Random(22);
        using var compress = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        using var decompress = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Direction = CompressionDirection.Decompress }, runtime);
        using DigestSession? sha = digests ? new DigestSession(DigestAlgorithm.Sha256, runtime: runtime) : null;
        while (!_stop.IsCancellationRequested)
        {
            int length = random.Next(1, Max);
            int offset = random.Next(0, Max - length + 1);
            ReadOnlySpan<byte> data = text.AsSpan(offset, length);
            CompressionResult c = compress.Process(data, packed);
            Assert.True(c.IsOk, $"compress: {c.Status}");
            CompressionResult d = decompress.Process(packed.AsSpan(0, c.Produced), back);
            Assert.True(d.IsOk, $"decompress: {d.Status}");
            Assert.True(data.SequenceEqual(back.AsSpan(0, d.Produced)), "round trip differs");
            if (sha is not null)
            {
                Assert.Equal(32, sha.ComputeHash(data, hash));
                Assert.True(hash.AsSpan().SequenceEqual(SHA256.HashData(data)), "SHA-256 differs");
            }

            Interlocked.Increment(ref _rounds);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_loop.IsCompleted)
        {
            await _stop.CancelAsync();
            try
            {
                await _loop;
            }
            catch (Exception)
            {
                // Disposal after a failed test: the failure was (or will be) reported by StopAsync.
            }
        }

        _stop.Dispose();
    }
}
