using System.Diagnostics;

namespace WarpDrive.Cli.Bench;

/// <summary>The completion side of one asynchronous submitting thread: a continuation per slot (made once) that the
/// library's poller runs when the slot's request completes; it stamps the completion time, marks the slot and counts.
/// The submitting thread sleeps until the count reaches a target, so that it wakes once per batch of completions
/// rather than once per request, while the latency is still taken at each request's own completion.</summary>
internal sealed class AsyncCompletions : IDisposable
{
    private readonly long[] _completedAt;
    private readonly int[] _done;
    private readonly Action[] _callbacks;
    private readonly ManualResetEventSlim _event = new(false, spinCount: 1);
    private long _count;
    private long _wakeAt = long.MaxValue;

    public AsyncCompletions(int depth)
    {
        _completedAt = new long[depth];
        _done = new int[depth];
        _callbacks = new Action[depth];
        for (int i = 0; i < depth; i++)
        {
            int slot = i;
            _callbacks[i] = () => Complete(slot);
        }
    }

    /// <summary>Completions so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>The continuation of <paramref name="slot"/>.</summary>
    public Action Callback(int slot) => _callbacks[slot];

    /// <summary>Whether <paramref name="slot"/>'s request completed (its continuation ran).</summary>
    public bool IsDone(int slot) => Volatile.Read(ref _done[slot]) != 0;

    /// <summary>When <paramref name="slot"/> completed (Stopwatch ticks); clears its mark for the next request.</summary>
    public long Take(int slot)
    {
        Volatile.Write(ref _done[slot], 0);
        return _completedAt[slot];
    }

    /// <summary>Marks <paramref name="slot"/> done (the continuation, or the submitter when it completed at once).</summary>
    public void Complete(int slot)
    {
        _completedAt[slot] = Stopwatch.GetTimestamp();
        Volatile.Write(ref _done[slot], 1);
        if (Interlocked.Increment(ref _count) >= Volatile.Read(ref _wakeAt))
        {
            _event.Set();
        }
    }

    /// <summary>Sleeps until the oldest request in flight (<paramref name="head"/>) has completed or, while the pipe is
    /// kept full (<paramref name="batch"/> above 1), until that many more have: never for more completions than there
    /// are requests in flight.</summary>
    /// <param name="head">The slot of the oldest request in flight.</param>
    /// <param name="finished">Requests the caller has taken so far (<see cref="Take"/>).</param>
    /// <param name="inFlight">Requests started and not yet taken: at most this many completions can still come.</param>
    /// <param name="batch">Completions to wait for at once (1: just the head).</param>
    public void WaitForNext(int head, long finished, int inFlight, int batch)
    {
        // Hazard: the count and the head's mark are read one after the other, and every request may complete in between.
        // A target of "one more than seen" then waits for a completion that cannot come: it must be capped at what is
        // in flight (finished + inFlight is every request started).
        long seen = Count;
        if (IsDone(head))
        {
            return;
        }

        WaitFor(Target(seen, finished, inFlight, batch));
    }

    /// <summary>The completion count <see cref="WaitForNext"/> sleeps for: at least one more than <paramref name="seen"/>
    /// and <paramref name="batch"/> past <paramref name="finished"/>, at most every request in flight.</summary>
    internal static long Target(long seen, long finished, int inFlight, int batch) =>
        Math.Min(finished + inFlight, Math.Max(seen + 1, finished + Math.Min(batch, inFlight)));

    /// <summary>Sleeps until at least <paramref name="target"/> requests have completed in all.</summary>
    private void WaitFor(long target)
    {
        while (Count < target)
        {
            _event.Reset();
            Volatile.Write(ref _wakeAt, target);
            Interlocked.MemoryBarrier(); // either Complete sees the new target, or we see its count
            if (Count >= target)
            {
                break;
            }

            _event.Wait();
        }

        Volatile.Write(ref _wakeAt, long.MaxValue);
    }

    public void Dispose() => _event.Dispose();
}
