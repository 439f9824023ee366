using System.Diagnostics;
using System.Globalization;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices.Engines;
using WarpDrive.Tests;

namespace WarpDrive.Benchmarks;

/// <summary>The broker against in-process devices and the direct engine call, in one run: no-op round trips
/// (per-request percentiles) and 64 KiB gzip level-1 blocks, through a broker queue with SVA (the engine copies with
/// process_vm_readv/writev) and with SHARE memory (zero copy), an in-process queue, and ISA-L called directly.
/// Needs a running wdd on <c>runDirectory</c>.</summary>
internal static class BrokerProbe
{
    private const int BlockSize = 64 * 1024;

    public static int Run(string runDirectory, int count)
    {
        using var broker = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = runDirectory });
        using var local = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Local,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 2, WorkerCount = 1 },
        });

        using (WdQueue queue = broker.RequestQueue("deflate"))
        {
            LatencyProbe.Print("no-op round trip, broker queue (another process)", LatencyProbe.NopRoundTrips(queue, count));
        }

        using (WdQueue queue = local.RequestQueue("deflate"))
        {
            LatencyProbe.Print("no-op round trip, in-process queue", LatencyProbe.NopRoundTrips(queue, count));
        }

        LatencyProbe.SocketBaseline(Math.Min(count, 100_000));

        byte[] input = TestData.Text(BlockSize, seed: 42);
        int bound = CompressionSession.GetMaxCompressedLength(BlockSize);
        var options = new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Level = 1 };
        using var brokerSession = new CompressionSession(options, broker);
        using var localSession = new CompressionSession(options, local);
        using WdSharedMemory sharedIn = broker.ReserveMemory(BlockSize);
        using WdSharedMemory sharedOut = broker.ReserveMemory(bound);
        input.CopyTo(sharedIn.GetSpan());
        byte[] output = new byte[bound];
        Codec direct = (DeflateEngine.Isal ?? DeflateEngine.Zlib).CreateCompressor();

        var runs = new (string Name, Func<int> Block)[]
        {
            ("direct engine call", () => Direct(direct, input, output)),
            ("in-process queue", () => localSession.Process(input, output).Produced),
            ("broker, SVA (copied)", () => brokerSession.Process(input, output).Produced),
            ("broker, SHARE (in place)", () => brokerSession.Process(sharedIn.Memory.Span, sharedOut.Memory.Span).Produced),
        };
        var rates = runs.ToDictionary(r => r.Name, _ => new List<double>());
        for (int round = 0; round < 6; round++) // round 0 warms up; rounds interleave so noise hits all alike
        {
            foreach ((string name, Func<int> block) in runs)
            {
                double mbps = Throughput(block);
                if (round > 0)
                {
                    rates[name].Add(mbps);
                }
            }
        }

        double baseline = Median(rates[runs[0].Name]);
        foreach ((string name, _) in runs)
        {
            double median = Median(rates[name]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"64 KiB gzip L1 blocks, {name}: median {median:F0} MB/s over 5 runs ({string.Join(", ", rates[name].Select(r => r.ToString("F0", CultureInfo.InvariantCulture)))}), {median / baseline:P0} of direct"));
        }

        direct.Dispose();
        return 0;
    }

    private static unsafe int Direct(Codec codec, byte[] input, byte[] output)
    {
        codec.Reset(CompAlgorithm.Gzip, 1, 15);
        fixed (byte* i = input)
        fixed (byte* o = output)
        {
            codec.Process(i, input.Length, o, output.Length, FlushMode.Finish, out _, out int produced, out _);
            return produced;
        }
    }

    private static double Throughput(Func<int> block)
    {
        long bytes = 0;
        var sw = Stopwatch.StartNew();
        while (sw.ElapsedMilliseconds < 1000)
        {
            if (block() <= 0)
            {
                throw new InvalidOperationException("a block produced nothing");
            }

            bytes += BlockSize;
        }

        return bytes / sw.Elapsed.TotalSeconds / 1e6;
    }

    private static double Median(List<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
