using System.Diagnostics;
using System.Globalization;
using WarpDrive.Abi;
using WarpDrive.Devices;

namespace WarpDrive.Benchmarks;

/// <summary>Times each no-op round trip through an in-process queue on its own (Stopwatch timestamps around
/// send + poll for the completion) and prints percentiles: BenchmarkDotNet reports means of batches, this
/// reports the distribution of single requests.</summary>
internal static class LatencyProbe
{
    public static int Run(int count)
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions
        {
            EmbeddedDeviceOptions = new DeviceHostOptions { QueueCount = 1, EngineCount = 1, SpinBeforeSleep = TimeSpan.FromMilliseconds(50) },
        });
        using WdQueue queue = runtime.RequestQueue("deflate");
        long[] samples = new long[count];
        for (int round = 0; round < 2; round++) // the first round warms up the JIT and the caches
        {
            for (int i = 0; i < count; i++)
            {
                var sqe = new Sqe { UserData = (ulong)i, Opcode = Opcode.Nop };
                long t0 = Stopwatch.GetTimestamp();
                queue.TrySend(in sqe);
                queue.Flush();
                while (!queue.TryRecv(out _))
                {
                }

                samples[i] = Stopwatch.GetTimestamp() - t0;
            }
        }

        Array.Sort(samples);
        double ns = 1e9 / Stopwatch.Frequency;
        string P(double q) => (samples[(int)(q * (count - 1))] * ns / 1000).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine($"no-op round trip, in-process queue, {count} requests: p50 {P(0.50)} us  p90 {P(0.90)} us  p99 {P(0.99)} us  p99.9 {P(0.999)} us");
        return 0;
    }
}
