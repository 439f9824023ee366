using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Devices;
using WarpDrive.Scheduling;
using static WarpDrive.Tests.Scheduling.SchedulerTestKit;

namespace WarpDrive.Tests.Scheduling;

public class MixModeTests
{
    [Fact]
    public async Task RequestsBelowTheThresholdRunInlineAndTheRestIsOffloaded()
    {
        using WdRuntime runtime = Runtime();
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { InlineThreshold = 4096 });
        using var session = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 }, runtime);
        DeviceHost offload = runtime.FindEmbeddedHost("zip-0")!;

        byte[] small = TestData.Text(4095), large = TestData.Text(4096);
        ulong[] before = Submitted(offload);
        Assert.Equal(small, Gunzip(Compress(session, small)));
        DeviceHost inline = runtime.FindInlineHost("zip-inline")!;
        Assert.Empty(Delta(before, Submitted(offload)));
        Assert.Equal(1UL, Submitted(inline).Aggregate((a, b) => a + b));

        Assert.Equal(large, Gunzip(Compress(session, large)));
        Assert.Equal(1UL, Delta(before, Submitted(offload)).Values.Single());
        Assert.Equal(1UL, Submitted(inline).Aggregate((a, b) => a + b));

        // An inline async request is done before the caller gets it: the submitting thread ran it.
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(small.Length)];
        ValueTask<CompressionResult> pending = session.ProcessAsync(small, output);
        Assert.True(pending.IsCompleted);
        CompressionResult r = await pending;
        Assert.Equal(small, Gunzip(output.AsSpan(0, r.Produced)));
        Assert.Equal(2UL, Submitted(inline).Aggregate((a, b) => a + b));
        Assert.Equal(1UL, Delta(before, Submitted(offload)).Values.Single());
    }

    [Fact]
    public void WithMixModeOffAndNoThresholdNothingRunsInline()
    {
        using WdRuntime runtime = Runtime(); // MixMode = false
        using var session = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 }, runtime);
        Compress(session, TestData.Text(10));
        Assert.Null(runtime.FindInlineHost("zip-inline"));
        Assert.Equal(new WdRequestPaths(0, 1), runtime.GetRequestPaths(AlgorithmLibrary.Comp));
    }

    [Theory]
    [InlineData(AlgorithmLibrary.Comp, 0)]
    [InlineData(AlgorithmLibrary.Aead, 2048)]
    [InlineData(AlgorithmLibrary.Cipher, 2048)]
    [InlineData(AlgorithmLibrary.Digest, 2048)]
    [InlineData(AlgorithmLibrary.Rsa, 0)]
    public void ByDefaultEachLibraryHasItsMeasuredThreshold(AlgorithmLibrary library, int threshold)
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        Assert.Equal(threshold, runtime.Scheduler(library).InlineThreshold);
        Assert.True(runtime.Scheduler(library).SyncInlineOnInProcessDevice);
        using var off = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local, MixMode = false });
        Assert.Equal(0, off.Scheduler(library).InlineThreshold);
        Assert.False(off.Scheduler(library).SyncInlineOnInProcessDevice);
        using var set = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        set.Initialize(library, new LibraryOptions { InlineThreshold = 777 });
        Assert.Equal(777, set.Scheduler(library).InlineThreshold); // a library's own option wins
        Assert.False(set.Scheduler(library).SyncInlineOnInProcessDevice);
    }

    [Fact]
    public async Task ByDefaultSyncRequestsForAnInProcessDeviceRunInlineAndAsyncOnesAboveTheThresholdGoToTheQueue()
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        using var session = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 }, runtime);
        byte[] large = TestData.Text(100_000);
        Assert.Equal(large, Gunzip(Compress(session, large))); // a synchronous caller waits anyway: inline
        Assert.Equal(new WdRequestPaths(1, 0), runtime.GetRequestPaths(AlgorithmLibrary.Comp));
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(large.Length)];
        CompressionResult r = await session.ProcessAsync(large, output); // an asynchronous one gets its thread back: the queue
        Assert.Equal(large, Gunzip(output.AsSpan(0, r.Produced)));
        Assert.Equal(new WdRequestPaths(1, 1), runtime.GetRequestPaths(AlgorithmLibrary.Comp));
        Assert.Equal(1UL, Submitted(runtime.FindEmbeddedHost("zip-0")!).Aggregate((a, b) => a + b));

        int threshold = runtime.Scheduler(AlgorithmLibrary.Aead).InlineThreshold;
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12);
        using var aead = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: runtime);
        using var reference = new AesGcm(key, 16);
        foreach (int length in new[] { threshold - 1, threshold })
        {
            byte[] plain = TestData.Random(length, seed: length), sealedBytes = new byte[length + 16], expected = new byte[length + 16];
            Assert.Equal(length + 16, await aead.EncryptAsync(nonce, plain, sealedBytes));
            reference.Encrypt(nonce, plain, expected.AsSpan(0, length), expected.AsSpan(length));
            Assert.Equal(expected, sealedBytes);
        }

        Assert.Equal(new WdRequestPaths(1, 1), runtime.GetRequestPaths(AlgorithmLibrary.Aead));
    }

    [Fact]
    public void EachLibraryCountsItsOwnRequestsThoughTheSecLibrariesShareTheInlineQueues()
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12), data = TestData.Random(100);
        using var aead = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: runtime);
        using var digest = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        aead.Encrypt(nonce, data, new byte[data.Length + 16]);
        aead.Encrypt(nonce, data, new byte[data.Length + 16]);
        byte[] hash = new byte[32];
        digest.ComputeHash(data, hash);
        Assert.Equal(SHA256.HashData(data), hash);
        Assert.Equal(new WdRequestPaths(2, 0), runtime.GetRequestPaths(AlgorithmLibrary.Aead));
        Assert.Equal(new WdRequestPaths(1, 0), runtime.GetRequestPaths(AlgorithmLibrary.Digest));
        Assert.Equal(new WdRequestPaths(0, 0), runtime.GetRequestPaths(AlgorithmLibrary.Cipher));
    }

    [Theory]
    [InlineData(SyncWaitStrategy.Adaptive)]
    [InlineData(SyncWaitStrategy.Spin)]
    [InlineData(SyncWaitStrategy.Sleep)]
    public void EveryWaitStrategyCompletesShortAndLongRequests(SyncWaitStrategy strategy)
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local, MixMode = false, SyncWait = strategy });
        using var session = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Level = 9 }, runtime);
        foreach (int length in new[] { 100, 4 << 20, 100, 4 << 20, 100 }) // 4 MiB at level 9 takes long enough to pass the adaptive bound
        {
            byte[] data = TestData.Text(length, seed: length);
            Assert.Equal(data, Gunzip(Compress(session, data)));
        }

        Assert.Equal(new WdRequestPaths(0, 5), runtime.GetRequestPaths(AlgorithmLibrary.Comp));
    }

    [Theory]
    [InlineData(null, SyncWaitStrategy.Adaptive)]
    [InlineData("spin", SyncWaitStrategy.Spin)]
    [InlineData(" Sleep ", SyncWaitStrategy.Sleep)]
    public void TheWaitStrategyParses(string? value, SyncWaitStrategy expected) => Assert.Equal(expected, SyncWaitStrategies.Parse(value));

    [Fact]
    public void AnUnknownWaitStrategyNamesTheVariable() =>
        Assert.Contains("WD_SYNC_WAIT", Assert.Throws<ArgumentException>(() => SyncWaitStrategies.Parse("busy")).Message);

    [Fact]
    public async Task ACipherSessionsKeyServesInlineAndOffloadedRequests()
    {
        using WdRuntime runtime = Runtime();
        runtime.Initialize(AlgorithmLibrary.Aead, new LibraryOptions { InlineThreshold = 1024 });
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12);
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: runtime);
        using var reference = new AesGcm(key, 16);
        foreach (int length in new[] { 100, 1007, 1008, 70_000 })
        {
            byte[] plain = TestData.Random(length, seed: length), sealedBytes = new byte[length + 16];
            Assert.Equal(length + 16, session.Encrypt(nonce, plain, sealedBytes));
            byte[] expected = new byte[length], expectedTag = new byte[16];
            reference.Encrypt(nonce, plain, expected, expectedTag);
            Assert.Equal([.. expected, .. expectedTag], sealedBytes);
            byte[] back = new byte[length];
            Assert.Equal(length, await session.DecryptAsync(nonce, sealedBytes, back));
            Assert.Equal(plain, back);
        }

        Assert.True(Submitted(runtime.FindInlineHost("sec-inline")!).Aggregate((a, b) => a + b) >= 3); // 100 and 1007 both ways, 1008 decrypting (1024 bytes in)
    }
}
