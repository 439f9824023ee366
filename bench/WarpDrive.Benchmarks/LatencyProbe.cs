using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using WarpDrive.Abi;

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
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 1, WorkerCount = 1, SpinBeforeSleep = TimeSpan.FromMilliseconds(50) },
        });
        using WdQueue queue = runtime.RequestQueue("deflate");
        long[] samples = NopRoundTrips(queue, count);
        Print("no-op round trip, in-process queue", samples);
        SocketBaseline(Math.Min(count, 100_000));
        return 0;
    }

    /// <summary>Times <paramref name="count"/> no-op round trips one by one, after as many of warm-up (JIT, caches).</summary>
    public static long[] NopRoundTrips(WdQueue queue, int count)
    {
        long[] samples = new long[count];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < count; i++)
            {
                var sqe = new Sqe { UserData = (ulong)i, Opcode = Opcode.Nop };
                long t0 = Stopwatch.GetTimestamp();
                queue.TrySend(in sqe);
                queue.Flush();
                while (!queue.TryReceive(out _))
                {
                }

                samples[i] = Stopwatch.GetTimestamp() - t0;
            }
        }

        return samples;
    }

    /// <summary>The same request/response over a Unix stream socket between two threads: the system-call
    /// transport the queue replaces.</summary>
    public static void SocketBaseline(int count)
    {
        string path = Path.Combine(Path.GetTempPath(), $"wd-latency-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        using Socket server = listener.Accept();
        var echo = new Thread(() =>
        {
            byte[] b = new byte[Sqe.Size];
            while (server.Receive(b) > 0)
            {
                server.Send(b.AsSpan(0, Cqe.Size));
            }
        }) { IsBackground = true };
        echo.Start();
        byte[] request = new byte[Sqe.Size], response = new byte[Cqe.Size];
        long[] samples = new long[count];
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < count; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                client.Send(request);
                client.Receive(response);
                samples[i] = Stopwatch.GetTimestamp() - t0;
            }
        }

        client.Shutdown(SocketShutdown.Both);
        File.Delete(path);
        Print("same 64-byte request / 32-byte reply, Unix socket between two threads", samples);
    }

    public static void Print(string what, long[] samples)
    {
        Array.Sort(samples);
        double ns = 1e9 / Stopwatch.Frequency;
        string P(double q) => (samples[(int)(q * (samples.Length - 1))] * ns / 1000).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine($"{what}, {samples.Length} requests: p50 {P(0.50)} us  p90 {P(0.90)} us  p99 {P(0.99)} us  p99.9 {P(0.999)} us");
    }
}
