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
    public void WithoutAThresholdNothingRunsInline()
    {
        using WdRuntime runtime = Runtime();
        using var session = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 }, runtime);
        Compress(session, TestData.Text(10));
        Assert.Null(runtime.FindInlineHost("zip-inline"));
    }

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
