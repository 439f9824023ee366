using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Benchmarks;

/// <summary>Issue 4's targets in one run: each crypto operation through the queue (an in-process SEC or HPRE device)
/// against the direct library call, rounds interleaved so that the machine's noise hits both alike, medians of 7 timed
/// rounds (one warm-up round first). Optionally the same through a running wdd (<c>RUN_DIR</c>).</summary>
internal static class CryptoProbe
{
    private const int Rounds = 8;
    private const int Workers = 8;
    private static readonly TimeSpan s_round = TimeSpan.FromMilliseconds(600);

    /// <summary>Runs the probes named in <paramref name="only"/> (gcm, sha, rsa, ecdsa; all when empty).</summary>
    public static int Run(string? runDirectory, IReadOnlyCollection<string> only)
    {
        bool Wants(string name) => only.Count == 0 || only.Contains(name);
        using var local = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Local,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 4, WorkerCount = 2 },
        });
        using WdRuntime? broker = runDirectory is null ? null : new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = runDirectory });
        Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformationText()}; medians of {Rounds - 1} rounds of {s_round.TotalMilliseconds:F0} ms");
        if (Wants("gcm"))
        {
            Gcm(local, broker, 1 << 20);
            Gcm(local, broker, 256 << 10);
            Gcm(local, broker, 64 << 10);
            Gcm(local, broker, 16 << 10);
            Gcm(local, broker, 64);
        }

        if (Wants("sha"))
        {
            Sha256(local, broker, 1 << 20);
            Sha256(local, broker, 64 << 10);
            Sha256(local, broker, 16 << 10);
        }

        if (Wants("rsa"))
        {
            RsaSign(local);
        }

        if (Wants("ecdsa"))
        {
            EcdsaSign(local);
        }

        return 0;
    }

    private static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    private static void Gcm(WdRuntime local, WdRuntime? broker, int size)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] input = RandomNumberGenerator.GetBytes(size);
        byte[][] outputs = [.. Enumerable.Range(0, Workers).Select(_ => new byte[size + 16])];
        byte[] output = outputs[0];
        AesGcm[] direct = [new AesGcm(key, 16), new AesGcm(key, 16)];
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, 16, local);
        using var second = new AeadSession(AeadAlgorithm.AesGcm, key, 16, local); // the next queue: the other engine
        using AeadSession? remote = broker is null ? null : new AeadSession(AeadAlgorithm.AesGcm, key, 16, broker);
        var runs = new List<(string, Func<TimeSpan, long>)>
        {
            ("direct AesGcm.Encrypt, 1 thread", Sync(() => { direct[0].Encrypt(nonce, input, output.AsSpan(0, size), output.AsSpan(size)); return 1; })),
            ("direct AesGcm.Encrypt, 2 threads", Threads(2, i => { direct[i].Encrypt(nonce, input, outputs[i].AsSpan(0, size), outputs[i].AsSpan(size)); return 1; })),
            ("queue, sync, 1 engine", Sync(() => One(session.Encrypt(nonce, input, output)))),
            ($"queue, async x{Workers}, 2 engines", Pipelined(i => (i % 2 == 0 ? session : second).EncryptAsync(nonce, input, outputs[i]))),
        };
        using WdSharedMemory? sharedIn = broker?.ReserveMemory(size);
        using WdSharedMemory? sharedOut = broker?.ReserveMemory(size + 16);
        if (remote is not null)
        {
            input.CopyTo(sharedIn!.GetSpan());
            runs.Add(("broker, SVA (copied), sync", Sync(() => One(remote.Encrypt(nonce, input, output)))));
            runs.Add(("broker, SHARE (in place), sync", Sync(() => One(remote.Encrypt(nonce, sharedIn.GetSpan(), sharedOut!.GetSpan())))));
        }

        Report($"AES-256-GCM encrypt {Size(size)}", size, Measure(runs));
        direct[0].Dispose();
        direct[1].Dispose();
    }

    private static void Sha256(WdRuntime local, WdRuntime? broker, int size)
    {
        byte[] input = RandomNumberGenerator.GetBytes(size);
        byte[][] hashes = [.. Enumerable.Range(0, Workers).Select(_ => new byte[32])];
        byte[] hash = hashes[0];
        using var session = new DigestSession(DigestAlgorithm.Sha256, runtime: local);
        using var second = new DigestSession(DigestAlgorithm.Sha256, runtime: local);
        using DigestSession? remote = broker is null ? null : new DigestSession(DigestAlgorithm.Sha256, runtime: broker);
        var runs = new List<(string, Func<TimeSpan, long>)>
        {
            ("direct SHA256.HashData, 1 thread", Sync(() => One(SHA256.HashData(input, hash)))),
            ("direct SHA256.HashData, 2 threads", Threads(2, i => One(SHA256.HashData(input, hashes[i])))),
            ("queue, sync, 1 engine", Sync(() => One(session.ComputeHash(input, hash)))),
            ($"queue, async x{Workers}, 2 engines", Pipelined(i => (i % 2 == 0 ? session : second).ComputeHashAsync(input, hashes[i]))),
        };
        if (remote is not null)
        {
            runs.Add(("broker, SVA (copied), sync", Sync(() => One(remote.ComputeHash(input, hash)))));
        }

        Report($"SHA-256 {Size(size)}", size, Measure(runs));
    }

    private static void RsaSign(WdRuntime local)
    {
        using var rsa = RSA.Create(2048);
        byte[] hash = SHA256.HashData("warpdrive"u8);
        using RsaKey key = RsaKey.FromRsa(rsa, includePrivate: true);
        // Two sessions on two queues: the in-process device serves queue i with engine i % 2.
        using var first = new RsaSession(key, local);
        using var second = new RsaSession(key, local);
        byte[][] signatures = [.. Enumerable.Range(0, Workers).Select(_ => new byte[256])];
        var runs = new List<(string, Func<TimeSpan, long>)>
        {
            ("direct RSA.SignHash, 1 thread", Sync(() => One(rsa.SignHash(hash, signatures[0], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)))),
            ("direct RSA.SignHash, 2 threads", Threads(2, i => One(rsa.SignHash(hash, signatures[i], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)))),
            ("queue, sync, 1 engine", Sync(() => One(first.SignHash(hash, signatures[0], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)))),
            ($"queue, async x{Workers}, 2 engines", Pipelined(i => (i % 2 == 0 ? first : second).SignHashAsync(hash, signatures[i], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
        };
        Report("RSA-2048 sign (PKCS#1 v1.5, SHA-256)", 0, Measure(runs));
    }

    private static void EcdsaSign(WdRuntime local)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] hash = SHA256.HashData("warpdrive"u8);
        byte[] privateKey = ecdsa.ExportParameters(true).D!;
        using var first = new EccSession(EccCurve.P256, privateKey, local);
        using var second = new EccSession(EccCurve.P256, privateKey, local);
        byte[][] signatures = [.. Enumerable.Range(0, Workers).Select(_ => new byte[64])];
        var runs = new List<(string, Func<TimeSpan, long>)>
        {
            ("direct ECDsa.SignHash, 1 thread", Sync(() => One(ecdsa.SignHash(hash, signatures[0])))),
            ("direct ECDsa.SignHash, 2 threads", Threads(2, i => One(ecdsa.SignHash(hash, signatures[i])))),
            ("queue, sync, 1 engine", Sync(() => One(first.SignHash(hash, signatures[0])))),
            ($"queue, async x{Workers}, 2 engines", Pipelined(i => (i % 2 == 0 ? first : second).SignHashAsync(hash, signatures[i]))),
        };
        Report("ECDSA P-256 sign", 0, Measure(runs));
    }

    /// <summary>One request that produced <paramref name="produced"/> bytes (none is a failure).</summary>
    private static int One(int produced) => produced > 0 ? 1 : throw new InvalidOperationException("a request produced nothing");

    /// <summary>Calls <paramref name="op"/> back to back on this thread until the round ends; returns the count.</summary>
    private static Func<TimeSpan, long> Sync(Func<int> op) => duration =>
    {
        long done = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            done += op();
        }

        return done;
    };

    /// <summary><paramref name="threads"/> threads calling <paramref name="op"/> back to back: what the machine can do
    /// with that many cores and no queue at all (the ceiling for that many engines).</summary>
    private static Func<TimeSpan, long> Threads(int threads, Func<int, int> op) => duration =>
    {
        long done = 0;
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            long mine = 0;
            var sw = Stopwatch.StartNew();
            while (sw.Elapsed < duration)
            {
                mine += op(i);
            }

            Interlocked.Add(ref done, mine);
        })).ToArray();
        foreach (Thread t in workers)
        {
            t.Start();
        }

        foreach (Thread t in workers)
        {
            t.Join();
        }

        return done;
    };

    /// <summary><see cref="Workers"/> asynchronous loops, each awaiting its next request as soon as the last completes,
    /// so that the device always has work queued; returns the requests completed in the round.</summary>
    private static Func<TimeSpan, long> Pipelined(Func<int, ValueTask<int>> start) => duration =>
    {
        long done = 0;
        long deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        async Task Worker(int index)
        {
            while (Stopwatch.GetTimestamp() < deadline)
            {
                One(await start(index).ConfigureAwait(false));
                Interlocked.Increment(ref done);
            }
        }

        Task.WaitAll([.. Enumerable.Range(0, Workers).Select(Worker)]);
        return done;
    };

    /// <summary>Operations per second of each run, per round (the first round is a warm-up and dropped).</summary>
    private static Dictionary<string, List<double>> Measure(List<(string Name, Func<TimeSpan, long> Run)> runs)
    {
        var rates = runs.ToDictionary(r => r.Name, _ => new List<double>());
        for (int round = 0; round < Rounds; round++)
        {
            foreach ((string name, Func<TimeSpan, long> run) in runs)
            {
                var sw = Stopwatch.StartNew();
                long done = run(s_round);
                if (round > 0)
                {
                    rates[name].Add(done / sw.Elapsed.TotalSeconds);
                }
            }
        }

        return rates;
    }

    private static void Report(string what, int size, Dictionary<string, List<double>> rates)
    {
        string baselineName = rates.Keys.First();
        double baseline = Median(rates[baselineName]);
        Console.WriteLine(what);
        foreach ((string name, List<double> values) in rates)
        {
            double median = Median(values);
            string rate = size >= 4096 ? $"{median * size / 1e6:F0} MB/s" : $"{median:F0} ops/s";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-34} {rate,12}   {median / baseline,6:F3}x direct   (runs: {string.Join(", ", values.Select(v => (size >= 4096 ? v * size / 1e6 : v).ToString("F0", CultureInfo.InvariantCulture)))})"));
        }
    }

    private static string Size(int size) => size >= 1 << 20 ? $"{size >> 20} MiB" : size >= 1024 ? $"{size >> 10} KiB" : $"{size} B";

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
