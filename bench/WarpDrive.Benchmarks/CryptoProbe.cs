using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Devices;

namespace WarpDrive.Benchmarks;

/// <summary>Issue 4's targets in one run: each crypto operation through the queue (an in-process SEC or HPRE device)
/// against the direct library call, rounds interleaved so that the machine's noise hits both alike, medians of 5 timed
/// rounds (one warm-up round first). Optionally the same through a running wdd (<c>RUN_DIR</c>).</summary>
internal static class CryptoProbe
{
    private const int Rounds = 6;
    private static readonly TimeSpan s_round = TimeSpan.FromMilliseconds(700);

    public static int Run(string? runDirectory)
    {
        using var local = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Local,
            EmbeddedDeviceOptions = new DeviceHostOptions { QueueCount = 4, EngineCount = 2 },
        });
        using WdRuntime? broker = runDirectory is null ? null : new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = runDirectory });
        Console.WriteLine($"{Environment.ProcessorCount} cores, {RuntimeInformationText()}; medians of {Rounds - 1} rounds of {s_round.TotalMilliseconds:F0} ms");
        Gcm(local, broker, 1 << 20);
        Gcm(local, broker, 16 << 10);
        Gcm(local, broker, 64);
        Sha256(local, broker, 1 << 20);
        Sha256(local, broker, 16 << 10);
        RsaSign(local);
        EcdsaSign(local);
        return 0;
    }

    private static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    private static void Gcm(WdRuntime local, WdRuntime? broker, int size)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] input = RandomNumberGenerator.GetBytes(size);
        byte[] output = new byte[size + 16];
        using var direct = new AesGcm(key, 16);
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, 16, local);
        using AeadSession? remote = broker is null ? null : new AeadSession(AeadAlgorithm.AesGcm, key, 16, broker);
        var runs = new List<(string, Func<int>)>
        {
            ("direct AesGcm.Encrypt", () => { direct.Encrypt(nonce, input, output.AsSpan(0, size), output.AsSpan(size)); return 1; }),
            ("queue, sync", () => One(session.Encrypt(nonce, input, output))),
        };
        if (size <= 4096)
        {
            runs.Add(("queue, async x32", () => Async(32, () => session.EncryptAsync(nonce, input, output))));
        }

        if (remote is not null)
        {
            runs.Add(("broker (SVA), sync", () => One(remote.Encrypt(nonce, input, output))));
        }

        Report($"AES-256-GCM encrypt {Size(size)}", size, Measure(runs));
    }

    private static void Sha256(WdRuntime local, WdRuntime? broker, int size)
    {
        byte[] input = RandomNumberGenerator.GetBytes(size);
        byte[] hash = new byte[32];
        using var session = new DigestSession(DigestAlgorithm.Sha256, runtime: local);
        using DigestSession? remote = broker is null ? null : new DigestSession(DigestAlgorithm.Sha256, runtime: broker);
        var runs = new List<(string, Func<int>)>
        {
            ("direct SHA256.HashData", () => One(SHA256.HashData(input, hash))),
            ("queue, sync", () => One(session.ComputeHash(input, hash))),
        };
        if (remote is not null)
        {
            runs.Add(("broker (SVA), sync", () => One(remote.ComputeHash(input, hash))));
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
        byte[] signature = new byte[256];
        var runs = new List<(string, Func<int>)>
        {
            ("direct RSA.SignHash, 1 thread", () => One(rsa.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
            ("queue, sync, 1 engine", () => One(first.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
            ("queue, async x8 over 2 engines", () => Async(8, i => (i % 2 == 0 ? first : second).SignHashAsync(hash, new byte[256], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))),
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
        byte[] signature = new byte[64];
        var runs = new List<(string, Func<int>)>
        {
            ("direct ECDsa.SignHash, 1 thread", () => One(ecdsa.SignHash(hash, signature))),
            ("queue, sync, 1 engine", () => One(first.SignHash(hash, signature))),
            ("queue, async x8 over 2 engines", () => Async(8, i => (i % 2 == 0 ? first : second).SignHashAsync(hash, new byte[64]))),
        };
        Report("ECDSA P-256 sign", 0, Measure(runs));
    }

    /// <summary>One request that produced <paramref name="produced"/> bytes (none is a failure).</summary>
    private static int One(int produced) => produced > 0 ? 1 : 0;

    /// <summary>One batch of <paramref name="window"/> requests in flight; returns how many completed.</summary>
    private static int Async(int window, Func<ValueTask<int>> start) => Async(window, _ => start());

    private static int Async(int window, Func<int, ValueTask<int>> start)
    {
        var pending = new Task<int>[window];
        for (int i = 0; i < window; i++)
        {
            pending[i] = start(i).AsTask();
        }

        foreach (Task<int> request in pending)
        {
            if (request.GetAwaiter().GetResult() <= 0)
            {
                throw new InvalidOperationException("a request produced nothing");
            }
        }

        return window;
    }

    /// <summary>Operations per second of each run, per round (the first round is a warm-up and dropped).</summary>
    private static Dictionary<string, List<double>> Measure(List<(string Name, Func<int> Op)> runs)
    {
        var rates = runs.ToDictionary(r => r.Name, _ => new List<double>());
        for (int round = 0; round < Rounds; round++)
        {
            foreach ((string name, Func<int> op) in runs)
            {
                long done = 0;
                var sw = Stopwatch.StartNew();
                while (sw.Elapsed < s_round)
                {
                    int completed = op(); // requests completed by this call
                    done += completed > 0 ? completed : throw new InvalidOperationException($"{name}: a request failed");
                }

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
