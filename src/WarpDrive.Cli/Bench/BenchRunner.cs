using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Cli.Bench;

/// <summary>Runs workers on their own threads for the set time and measures them: each thread warms up, all start
/// together, and each keeps its requests in flight (one when synchronous, the depth when asynchronous) until the
/// deadline. Latency is submit to completion of every request; CPU time per request is the submitting threads' own.</summary>
internal static class BenchRunner
{
    private static readonly TimeSpan s_warmUp = TimeSpan.FromMilliseconds(50);

    public static BenchResult Run(BenchSettings settings, string modeName, IReadOnlyList<BenchWorker> workers, CancellationToken stop)
    {
        int n = workers.Count;
        var recorders = new LatencyRecorder[n];
        var counts = new long[n];
        var outputs = new long[n];
        var cpu = new long[n];
        var errors = new Exception?[n];
        var progress = new BenchProgress[n];
        using var lateReaps = new LateReapListener();
        using var ready = new Barrier(n + 1);
        using var go = new Barrier(n + 1);
        long deadline = 0;
        var threads = new Thread[n];
        for (int i = 0; i < n; i++)
        {
            int index = i;
            recorders[i] = new LatencyRecorder();
            progress[i] = new BenchProgress();
            threads[i] = new Thread(() =>
            {
                BenchWorker worker = workers[index];
                LatencyRecorder latencies = recorders[index];
                BenchProgress own = progress[index];
                try
                {
                    bool failed = false;
                    try
                    {
                        Loop(worker, settings, Stopwatch.GetTimestamp() + Ticks(s_warmUp), latencies, own, stop, out _);
                    }
                    catch (Exception e)
                    {
                        errors[index] = e;
                        failed = true;
                    }

                    latencies.Clear();
                    ready.SignalAndWait(CancellationToken.None);
                    go.SignalAndWait(CancellationToken.None);
                    if (failed)
                    {
                        return;
                    }

                    long cpu0 = ThreadCpuTime.Nanoseconds();
                    own.Measuring = true;
                    counts[index] = Loop(worker, settings, Volatile.Read(ref deadline), latencies, own, stop, out outputs[index]);
                    cpu[index] = ThreadCpuTime.Nanoseconds() - cpu0;
                }
                catch (Exception e)
                {
                    errors[index] ??= e;
                }
            })
            {
                Name = $"wd bench submitter {i}",
                IsBackground = true,
            };
            threads[i].Start();
        }

        // Neither the warm-up nor the run may hang wd: once its time is up, a grace period in which no request completes
        // while threads still wait means requests that never will, which is reported (BenchStalledException) instead.
        // (The barriers are disposed under threads stuck in them then: background threads, and the process exits.)
        Await(timeout => ready.SignalAndWait(timeout, CancellationToken.None), Stopwatch.GetTimestamp() + Ticks(s_warmUp), progress, settings.Grace);
        TimeSpan process0 = Process.GetCurrentProcess().TotalProcessorTime;
        long start = Stopwatch.GetTimestamp();
        Volatile.Write(ref deadline, start + (long)(settings.Seconds * Stopwatch.Frequency));
        go.SignalAndWait(CancellationToken.None);
        foreach (Thread thread in threads)
        {
            Await(thread.Join, Volatile.Read(ref deadline), progress, settings.Grace);
        }

        double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
        TimeSpan process1 = Process.GetCurrentProcess().TotalProcessorTime;
        if (errors.FirstOrDefault(e => e is not null) is { } error)
        {
            throw error;
        }

        long requests = counts.Sum();
        (double p50, double p99, double p999) = LatencyRecorder.Percentiles(recorders);
        long inputBytes = requests * workers[0].InputBytes;
        return new BenchResult
        {
            Mode = modeName,
            Alg = settings.Algorithm.Name,
            Op = settings.Operation,
            Submit = !settings.Async ? "sync" : settings.Callbacks ? "async-callbacks" : "async",
            Threads = n,
            Ctxnum = settings.Contexts,
            Depth = settings.InFlight,
            Pktlen = settings.PacketLength,
            Seconds = wall,
            Requests = requests,
            InputBytes = inputBytes,
            OutputBytes = outputs.Sum(),
            MbPerS = inputBytes / wall / 1e6,
            OpsPerS = requests / wall,
            P50Us = p50,
            P99Us = p99,
            P999Us = p999,
            CpuPercent = (process1 - process0).TotalSeconds / wall * 100,
            SubmitCpuUsPerRequest = requests == 0 ? 0 : cpu.Sum() / 1e3 / requests,
            LateReaps = lateReaps.Count,
        };
    }

    private static readonly TimeSpan s_look = TimeSpan.FromMilliseconds(100);

    private static long Ticks(TimeSpan time) => (long)(time.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Waits until <paramref name="done"/> (given a time to wait) says yes; once <paramref name="end"/> (Stopwatch
    /// ticks) has passed, throws when no thread has completed a request for <paramref name="grace"/>.</summary>
    private static void Await(Func<TimeSpan, bool> done, long end, BenchProgress[] progress, TimeSpan grace)
    {
        long seen = progress.Sum(p => p.Completed), seenAt = Stopwatch.GetTimestamp();
        while (!done(s_look))
        {
            long now = Stopwatch.GetTimestamp(), completed = progress.Sum(p => p.Completed);
            if (completed != seen)
            {
                (seen, seenAt) = (completed, now);
            }
            else if (now > end && now - Math.Max(seenAt, end) > Ticks(grace))
            {
                throw BenchStalledException.Of(progress, grace);
            }
        }
    }

    private static long Loop(BenchWorker worker, BenchSettings settings, long deadline, LatencyRecorder latencies, BenchProgress progress,
        CancellationToken stop, out long outputBytes)
    {
        progress.Busy = true;
        try
        {
            if (worker is IOwnLoop own)
            {
                return own.Loop(deadline, latencies, progress, stop, out outputBytes);
            }

            return settings.Async && worker.SupportsAsync
                ? AsyncLoop(worker, settings.Depth, deadline, latencies, progress, stop, out outputBytes)
                : SyncLoop(worker, deadline, latencies, progress, stop, out outputBytes);
        }
        finally
        {
            progress.Busy = false;
        }
    }

    private static long SyncLoop(BenchWorker worker, long deadline, LatencyRecorder latencies, BenchProgress progress, CancellationToken stop,
        out long outputBytes)
    {
        long count = 0, output = 0;
        long t0 = Stopwatch.GetTimestamp();
        progress.InFlight = 1; // a thread that never comes back from RunSync has its one request in flight
        while (t0 < deadline && !stop.IsCancellationRequested)
        {
            worker.RunSync();
            progress.Complete();
            long t1 = Stopwatch.GetTimestamp();
            latencies.Add(t1 - t0);
            output += worker.LastOutputBytes;
            count++;
            t0 = t1;
        }

        progress.InFlight = 0;
        outputBytes = output;
        return count;
    }

    private static long AsyncLoop(BenchWorker worker, int depth, long deadline, LatencyRecorder latencies, BenchProgress progress, CancellationToken stop,
        out long outputBytes)
    {
        long[] started = new long[depth];
        using var completions = new AsyncCompletions(depth);
        int batch = Math.Max(1, depth / 4); // wake once per this many completions while the pipe is kept full
        long count = 0, output = 0;
        int head = 0, inFlight = 0;
        while (true)
        {
            bool open = Stopwatch.GetTimestamp() < deadline && !stop.IsCancellationRequested;
            while (open && inFlight < depth)
            {
                int slot = (head + inFlight) % depth;
                started[slot] = Stopwatch.GetTimestamp();
                worker.Start(slot);
                if (worker.IsCompleted(slot))
                {
                    completions.Complete(slot);
                }
                else
                {
                    worker.OnCompleted(slot, completions.Callback(slot));
                }

                inFlight++;
                progress.InFlight = inFlight;
            }

            if (inFlight == 0)
            {
                break;
            }

            completions.WaitForNext(head, count, inFlight, open ? batch : 1);

            // Reaped in submission order; each latency is taken at the request's own completion.
            while (inFlight > 0 && completions.IsDone(head))
            {
                latencies.Add(completions.Take(head) - started[head]);
                progress.Complete();
                worker.Finish(head);
                output += worker.LastOutputBytes;
                count++;
                head = (head + 1) % depth;
                inFlight--;
            }

            progress.InFlight = inFlight;
        }

        outputBytes = output;
        return count;
    }
}
