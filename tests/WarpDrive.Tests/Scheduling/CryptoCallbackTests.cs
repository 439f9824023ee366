using System.Collections.Concurrent;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Scheduling;
using static WarpDrive.Tests.Scheduling.SchedulerTestKit;

namespace WarpDrive.Tests.Scheduling;

public class CryptoCallbackTests
{
    [Fact]
    public void AeadAndDigestCallbacksCompleteOnceWithTheRightBytesAndStatus()
    {
        using WdRuntime runtime = Runtime(depth: 8);
        byte[] key = RandomNumberGenerator.GetBytes(32), nonce = RandomNumberGenerator.GetBytes(12), aad = [1, 2, 3];
        using var aead = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: runtime);
        using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        const int n = 64;
        byte[][] plain = [.. Enumerable.Range(0, n).Select(i => TestData.Random(100 + (i * 37), seed: i))];
        byte[][] sealedBytes = [.. plain.Select(p => new byte[p.Length + 16])];
        byte[][] hashes = [.. plain.Select(_ => new byte[32])];
        var results = new ConcurrentDictionary<(string, int), CryptoResult>();
        using var all = new CountdownEvent(2 * n);
        CryptoCallback done = (in CryptoResult r, object? state) =>
        {
            Assert.True(results.TryAdd(((string, int))state!, r), "completed twice");
            all.Signal();
        };

        for (int i = 0; i < n; i++)
        {
            while (!aead.TryEncrypt(nonce, plain[i], sealedBytes[i], aad, done, ("seal", i)))
            {
                Thread.Yield(); // BUSY
            }

            while (!sha.TryComputeHash(plain[i], hashes[i], done, ("hash", i)))
            {
                Thread.Yield();
            }
        }

        Assert.True(all.Wait(TimeSpan.FromSeconds(30)));
        using var reference = new AesGcm(key, 16);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(new CryptoResult(CompletionStatus.Ok, plain[i].Length + 16), results[("seal", i)]);
            Assert.Equal(new CryptoResult(CompletionStatus.Ok, 32), results[("hash", i)]);
            Assert.Equal(SHA256.HashData(plain[i]), hashes[i]);
            byte[] back = new byte[plain[i].Length];
            reference.Decrypt(nonce, sealedBytes[i].AsSpan(0, plain[i].Length), sealedBytes[i].AsSpan(plain[i].Length), back, aad);
            Assert.Equal(plain[i], back);
        }

        // A wrong tag is a status for a callback, not an exception.
        sealedBytes[0][^1] ^= 1;
        using var failed = new ManualResetEventSlim();
        CryptoResult bad = default;
        Assert.True(aead.TryDecrypt(nonce, sealedBytes[0], new byte[plain[0].Length], aad, (in CryptoResult r, object? _) =>
        {
            bad = r;
            failed.Set();
        }));
        Assert.True(failed.Wait(TimeSpan.FromSeconds(10)));
        Assert.Equal(CompletionStatus.AuthFailed, bad.Status);
    }

    [Fact]
    public void AFullCryptoQueueSaysBusy()
    {
        using WdRuntime runtime = Runtime(depth: 2, polling: false);
        runtime.Initialize(AlgorithmLibrary.Cipher, new LibraryOptions { Contexts = [new ContextSpec(true, null, 1, -1)], AsyncPolling = false });
        using var aes = new CipherSession(CipherAlgorithm.AesCbc, RandomNumberGenerator.GetBytes(16), runtime);
        byte[] iv = new byte[16], data = TestData.Random(4096);
        int calls = 0;
        CryptoCallback done = (in CryptoResult r, object? _) =>
        {
            Assert.True(r.IsOk);
            Interlocked.Increment(ref calls);
        };
        Assert.True(aes.TryEncrypt(iv, data, new byte[4096], done));
        Assert.True(aes.TryEncrypt(iv, data, new byte[4096], done));
        Assert.False(aes.TryEncrypt(iv, data, new byte[4096], done));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (Volatile.Read(ref calls) < 2 && DateTime.UtcNow < deadline)
        {
            aes.Poll();
        }

        Assert.Equal(2, calls);
        Assert.True(aes.TryEncrypt(iv, data, new byte[4096], done));
    }
}
