using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using WarpDrive.Abi;

namespace WarpDrive.TestClient;

/// <summary>The two sides of the fairness tests: a flood of gzip requests on every queue a client may open, and a
/// polite client that measures its no-op latency beside it.</summary>
internal static unsafe class FloodClient
{
    /// <summary><c>flood SIZE LEVEL IN_FLIGHT MAX_QUEUES</c>: opens queues until the broker refuses one (or MAX_QUEUES),
    /// keeps IN_FLIGHT gzip requests of SIZE bytes at LEVEL in each (client memory: the device copies it, SVA), prints
    /// <c>ready QUEUES</c>, and floods until stdin closes; then prints <c>done=N errors=N</c>.</summary>
    public static int Flood(WdRuntime runtime, string[] args)
    {
        int size = int.Parse(args[1], CultureInfo.InvariantCulture);
        byte level = byte.Parse(args[2], CultureInfo.InvariantCulture);
        int inFlight = int.Parse(args[3], CultureInfo.InvariantCulture);
        int maxQueues = int.Parse(args[4], CultureInfo.InvariantCulture);
        var queues = new List<WdQueue>();
        while (queues.Count < maxQueues)
        {
            try
            {
                queues.Add(runtime.RequestQueue("gzip"));
            }
            catch (WdException)
            {
                break; // no free queue, or the user's cap
            }
        }

        int outputSize = size + (size >> 8) + 4096;
        byte* src = (byte*)NativeMemory.AlignedAlloc((nuint)size, 4096);
        byte* dst = (byte*)NativeMemory.AlignedAlloc((nuint)outputSize, 4096); // shared by every request: never read
        var random = new Random(1);
        for (int i = 0; i < size; i++)
        {
            src[i] = (byte)('a' + random.Next(0, 16)); // compressible, as a JSON or log body
        }

        var sqe = new Sqe
        {
            Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, Level = level,
            Src = (ulong)src, SrcLen = (uint)size, Dst = (ulong)dst, DstLen = (uint)outputSize,
        };
        int[] outstanding = new int[queues.Count];
        long done = 0, errors = 0;
        var stdinClosed = Task.Run(() => Console.In.ReadToEnd());
        bool announced = false;
        while (!stdinClosed.IsCompleted)
        {
            for (int q = 0; q < queues.Count; q++)
            {
                while (queues[q].TryReceive(out Cqe cqe))
                {
                    outstanding[q]--;
                    if (cqe.Status == CompletionStatus.Ok)
                    {
                        done++;
                    }
                    else
                    {
                        errors++;
                    }
                }

                while (outstanding[q] < inFlight && queues[q].TrySend(in sqe))
                {
                    outstanding[q]++;
                }

                queues[q].Flush();
            }

            if (!announced)
            {
                Console.WriteLine($"ready {queues.Count}");
                Console.Out.Flush();
                announced = true;
            }

            Thread.Sleep(2);
        }

        Console.WriteLine($"done={done} errors={errors}");
        queues.ForEach(q => q.Dispose());
        NativeMemory.AlignedFree(src);
        NativeMemory.AlignedFree(dst);
        return 0;
    }

    /// <summary><c>latency SECONDS</c>: one no-op at a time on one queue, 2 ms apart, for SECONDS; prints
    /// <c>count=N p50_ms=X p99_ms=X max_ms=X</c>.</summary>
    public static int Latency(WdRuntime runtime, string[] args)
    {
        double seconds = double.Parse(args[1], CultureInfo.InvariantCulture);
        using WdQueue queue = runtime.RequestQueue("gzip");
        var latencies = new List<double>();
        var clock = Stopwatch.StartNew();
        ulong tag = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            long start = Stopwatch.GetTimestamp();
            if (!queue.TrySend(new Sqe { UserData = ++tag, Opcode = Opcode.Nop }))
            {
                Console.Error.WriteLine("the ring is full with nothing in flight");
                return 3;
            }

            queue.Flush();
            if (!queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(60)) || cqe.Status != CompletionStatus.Ok || cqe.UserData != tag)
            {
                Console.Error.WriteLine($"no-op {tag}: no good completion within 60 s");
                return 3;
            }

            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            Thread.Sleep(2);
        }

        latencies.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"count={latencies.Count} p50_ms={latencies[latencies.Count / 2]:F3} p99_ms={latencies[(int)(latencies.Count * 0.99)]:F3} max_ms={latencies[^1]:F3}"));
        return 0;
    }
}
