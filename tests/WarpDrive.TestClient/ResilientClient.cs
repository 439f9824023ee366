using System.Globalization;
using WarpDrive.Compression;

namespace WarpDrive.TestClient;

/// <summary>A client that keeps working through broker restarts, as an application should: it compresses in a
/// pipeline (4 requests in flight, every result checked by decompressing it with the runtime), and when a request
/// fails (the queue disabled, the broker gone) it gives its runtime up, opens a new one (waiting while no broker
/// listens) and goes on. Its books prove that every request it submitted ended exactly once, as a result or as an
/// error it saw. Lines on stdout: <c>ready</c> after the first good result, <c>error: MESSAGE</c> at the first failure
/// after good results, <c>recovered</c> at the first good result after a failure; once stdin closes it finishes what
/// is in flight and prints <c>submitted=N ok=N failed=N wrong=N reopened=N</c>.</summary>
internal static class ResilientClient
{
    private const int InFlight = 4;

    public static async Task<int> RunAsync()
    {
        var stdinClosed = new TaskCompletionSource();
        _ = Task.Run(() =>
        {
            Console.In.ReadToEnd();
            stdinClosed.TrySetResult();
        });

        byte[] text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 20000).Select(i => $"resilient line {i}\n")));
        var random = new Random(Environment.ProcessId);
        long submitted = 0, ok = 0, failed = 0, wrong = 0, reopened = 0;
        bool healthy = false, everHealthy = false;
        var outputs = new byte[InFlight][];
        for (int i = 0; i < InFlight; i++)
        {
            outputs[i] = new byte[CompressionSession.GetMaxCompressedLength(64 << 10)];
        }

        while (!stdinClosed.Task.IsCompleted)
        {
            WdRuntime runtime;
            CompressionSession session;
            try
            {
                runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, MaxContextsPerAlgorithm = 1 });
                session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
            }
            catch (WdException)
            {
                await Task.Delay(20); // no broker listens yet
                continue;
            }

            using (runtime)
            using (session)
            {
                bool failedHere = false;
                while (!failedHere && !stdinClosed.Task.IsCompleted)
                {
                    var tasks = new Task<CompressionResult>[InFlight];
                    var slices = new (int Offset, int Length)[InFlight];
                    for (int i = 0; i < InFlight; i++)
                    {
                        slices[i] = (random.Next(0, text.Length - (64 << 10)), random.Next(1, 64 << 10));
                        submitted++;
                        tasks[i] = SubmitAsync(session, text.AsMemory(slices[i].Offset, slices[i].Length), outputs[i]);
                    }

                    for (int i = 0; i < InFlight; i++)
                    {
                        // Each request ends exactly once: a result (checked) or an exception (seen).
                        try
                        {
                            CompressionResult result = await tasks[i];
                            if (!result.IsOk)
                            {
                                failed++;
                                failedHere = true;
                                Report(ref healthy, $"status {result.Status}");
                            }
                            else if (!Gzip.Decompress(outputs[i].AsSpan(0, result.Produced)).AsSpan().SequenceEqual(text.AsSpan(slices[i].Offset, slices[i].Length)))
                            {
                                wrong++;
                            }
                            else
                            {
                                ok++;
                                if (!healthy)
                                {
                                    Console.WriteLine(everHealthy ? "recovered" : "ready");
                                    healthy = everHealthy = true;
                                }
                            }
                        }
                        catch (WdException e)
                        {
                            failed++;
                            failedHere = true;
                            Report(ref healthy, e.Message);
                        }
                    }
                }

                if (failedHere)
                {
                    reopened++;
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"submitted={submitted} ok={ok} failed={failed} wrong={wrong} reopened={reopened}"));
        return 0;
    }

    /// <summary>One request as a task: an error at submission (the broker already gone) ends it like an error at
    /// completion, so that the books see it once either way.</summary>
    private static async Task<CompressionResult> SubmitAsync(CompressionSession session, ReadOnlyMemory<byte> source, Memory<byte> destination) =>
        await session.ProcessAsync(source, destination);

    private static void Report(ref bool healthy, string message)
    {
        if (healthy)
        {
            Console.WriteLine($"error: {message}");
            healthy = false;
        }
    }
}
