using System.Diagnostics;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;

namespace WarpDrive.Soak;

/// <summary>Asynchronous requests with callbacks (UADK's asynchronous mode): batches of 1 to 16 mixed requests submitted
/// with <c>TrySubmit</c>, <c>TryComputeHash</c>, <c>TryEncrypt</c> and <c>TryDecrypt</c> (retried while the queue says
/// BUSY), each checked and ended in the ledger by its own callback: gzip compression (read back with
/// System.IO.Compression), SHA-256, AES-GCM seal and open, and an open with a wrong tag whose callback must see
/// <see cref="CompletionStatus.AuthFailed"/>. A batch whose callbacks have not all come within 60 s stops the client.</summary>
internal sealed class CallbackWorker(WdRuntime runtime, RequestLedger ledger, int seed) : LoadWorker(runtime, ledger, seed)
{
    private const int MaxLength = 128 << 10;
    private static readonly TimeSpan s_busyLimit = TimeSpan.FromSeconds(30), s_batchLimit = TimeSpan.FromSeconds(60);

    public override Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            byte[] key = RandomNumberGenerator.GetBytes(32);
            using var compressor = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Level = Random.Next(1, 10) }, Runtime);
            using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: Runtime);
            using var gcm = new AeadSession(AeadAlgorithm.AesGcm, key, 16, Runtime);
            using var reference = new AesGcm(key, 16);
            for (int batches = SessionLifetime() / 8; batches >= 0 && !stop.IsCancellationRequested; batches--)
            {
                int count = Random.Next(1, 17);
                // Not disposed: should a callback come after the 60 s, it must still find it.
                var done = new CountdownEvent(count);
                for (int i = 0; i < count; i++)
                {
                    switch (Random.Next(5))
                    {
                        case 0:
                            Compress(compressor, done);
                            break;
                        case 1:
                            Digest(sha, done);
                            break;
                        case 2:
                            Seal(gcm, key, done);
                            break;
                        case 3:
                            Open(gcm, reference, done, wrongTag: false);
                            break;
                        default:
                            Open(gcm, reference, done, wrongTag: Random.Next(4) == 0);
                            break;
                    }
                }

                if (!done.Wait(s_batchLimit, CancellationToken.None))
                {
                    throw new TimeoutException($"{done.CurrentCount} of {count} callbacks did not come within {s_batchLimit.TotalSeconds} s");
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Submits through <paramref name="trySubmit"/> until it is accepted (BUSY: retried for up to 30 s); a request
    /// that could not be submitted is ended here as an error.</summary>
    private void Submit(long id, CountdownEvent done, Func<bool> trySubmit)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            for (int spins = 0; !trySubmit(); spins++)
            {
                if (clock.Elapsed > s_busyLimit)
                {
                    Ledger.Error(id, $"the queue said BUSY for {s_busyLimit.TotalSeconds} s");
                    done.Signal();
                    return;
                }

                Thread.Sleep(spins < 10 ? 0 : 1);
            }
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
            done.Signal();
        }
    }

    /// <summary>Runs a callback's check: ends the request and signals the batch whatever happens (a check that throws is
    /// an error, not an exception on the library's polling thread).</summary>
    private void Complete(long id, CountdownEvent done, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e)
        {
            Ledger.Error(id, $"checking the result: {Describe(e)}");
        }
        finally
        {
            done.Signal();
        }
    }

    private void Compress(CompressionSession compressor, CountdownEvent done)
    {
        byte[] data = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(data.Length)];
        long id = Ledger.Begin($"gzip compress with a callback {data.Length} B");
        CompressionCallback callback = (in CompressionResult r, object? _) =>
        {
            CompressionResult result = r;
            Complete(id, done, () =>
            {
                if (!result.IsOk)
                {
                    Ledger.Error(id, $"{result.Status} {result.DescribeError()}");
                }
                else if (!SoakData.Inflate(CompressionAlgorithm.Gzip, packed.AsSpan(0, result.Produced)).AsSpan().SequenceEqual(data))
                {
                    Ledger.Mismatch(id, "System.IO.Compression does not read the device's output back to the input");
                }
                else
                {
                    Ledger.Ok(id);
                }
            });
        };
        Submit(id, done, () => compressor.TrySubmit(data, packed, callback));
    }

    private void Digest(DigestSession sha, CountdownEvent done)
    {
        byte[] data = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] hash = new byte[32];
        long id = Ledger.Begin($"sha256 with a callback {data.Length} B");
        CryptoCallback callback = (in CryptoResult r, object? _) =>
        {
            CryptoResult result = r;
            Complete(id, done, () => End(id, result, expected: 32, () => hash.AsSpan().SequenceEqual(SHA256.HashData(data))));
        };
        Submit(id, done, () => sha.TryComputeHash(data, hash, callback));
    }

    private void Seal(AeadSession gcm, byte[] key, CountdownEvent done)
    {
        byte[] plain = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] nonce = RandomNumberGenerator.GetBytes(12), aad = RandomNumberGenerator.GetBytes(Random.Next(0, 64));
        byte[] sealedBytes = new byte[plain.Length + 16];
        long id = Ledger.Begin($"aes-gcm seal with a callback {plain.Length} B");
        CryptoCallback callback = (in CryptoResult r, object? _) =>
        {
            CryptoResult result = r;
            Complete(id, done, () => End(id, result, expected: sealedBytes.Length, () =>
            {
                using var check = new AesGcm(key, 16); // callbacks may run on several threads: one instance each
                byte[] opened = new byte[plain.Length];
                check.Decrypt(nonce, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), opened, aad);
                return opened.AsSpan().SequenceEqual(plain);
            }));
        };
        Submit(id, done, () => gcm.TryEncrypt(nonce, plain, sealedBytes, aad, callback));
    }

    private void Open(AeadSession gcm, AesGcm reference, CountdownEvent done, bool wrongTag)
    {
        byte[] plain = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] nonce = RandomNumberGenerator.GetBytes(12), aad = RandomNumberGenerator.GetBytes(Random.Next(0, 64));
        byte[] sealedBytes = new byte[plain.Length + 16];
        reference.Encrypt(nonce, plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), aad);
        if (wrongTag)
        {
            sealedBytes[^(1 + Random.Next(16))] ^= (byte)(1 << Random.Next(8));
        }

        byte[] back = new byte[plain.Length];
        long id = Ledger.Begin($"aes-gcm open {(wrongTag ? "with a wrong tag " : "")}with a callback {sealedBytes.Length} B");
        CryptoCallback callback = (in CryptoResult r, object? _) =>
        {
            CryptoResult result = r;
            Complete(id, done, () =>
            {
                if (!wrongTag)
                {
                    End(id, result, expected: plain.Length, () => back.AsSpan().SequenceEqual(plain));
                }
                else if (result.Status == CompletionStatus.AuthFailed)
                {
                    Ledger.ExpectedError(id);
                }
                else if (result.IsOk)
                {
                    Ledger.Mismatch(id, "a wrong tag was accepted");
                }
                else
                {
                    Ledger.Error(id, $"{result.Status} where AuthFailed was expected");
                }
            });
        };
        Submit(id, done, () => gcm.TryDecrypt(nonce, sealedBytes, back, aad, callback));
    }

    /// <summary>Ends a crypto request: an error for a failed status, a mismatch for a wrong length or a failed check.</summary>
    private void End(long id, CryptoResult result, int expected, Func<bool> check)
    {
        if (!result.IsOk)
        {
            Ledger.Error(id, result.Status.ToString());
        }
        else if (result.Produced != expected || !check())
        {
            Ledger.Mismatch(id, $"{result.Produced} bytes produced ({expected} expected) or the bytes differ");
        }
        else
        {
            Ledger.Ok(id);
        }
    }
}
