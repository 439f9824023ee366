using System.Diagnostics;
using System.Runtime.CompilerServices;
using WarpDrive.Abi;
using WarpDrive.Platform;
using WarpDrive.Queues;

namespace WarpDrive.Scheduling;

/// <summary>A library-owned polling thread (UADK's ASYNC_POLL_NUM threads): completes the asynchronous requests of the
/// contexts given to it. While requests are in flight it polls for about the contexts' recent service time, then
/// sleeps on all their completion words and on its own word at once (futex_waitv), so that neither a completion nor
/// a new submission waits for a timeout.</summary>
/// <remarks>Its life cycle: one thread for the poller's whole life, started by the first <see cref="Add"/> and stopped
/// only by <see cref="Dispose"/>. The count of contexts may go back to 0 and up again (a broker restart closes them
/// all, and the reconnection opens new ones): the thread is then still there, asleep without a timeout, and the next
/// <see cref="Add"/> wakes it. So no <see cref="Thread"/> is ever started twice, and no new thread races one that is
/// stopping (the ThreadStateException of issue 19). Start and stop are ordered by the lock: once
/// <see cref="Dispose"/> has set the flag under it, no <see cref="Add"/> starts the thread.</remarks>
internal sealed unsafe class AsyncPoller : IDisposable
{
    private const int MaxWaiters = 128; // futex_waitv's limit
    private static readonly TimeSpan s_idleSleep = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_busySleep = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan s_shortNap = TimeSpan.FromMilliseconds(1);
    private static readonly bool s_waitAny = Futex.IsWaitAnySupported;

    private readonly Lock _lock = new();
    private readonly Thread _thread;
    // Hazard: a submitter may still notify after Dispose (it passed its own checks first), so the words must outlive
    // the poller's disposal: they live in a pinned array that the GC frees once nobody holds the poller.
    private readonly uint[] _words = GC.AllocateArray<uint>(2, pinned: true);
    private readonly uint* _wakeWord;
    private readonly uint* _napWord; // never changes: a timed pause
    private readonly FutexWaiter[] _waiters = new FutexWaiter[MaxWaiters];
    private readonly WdContext?[] _begun = new WdContext?[MaxWaiters - 1];
    private WdContext[] _contexts = [];
    private int _sleeping;
    private bool _started;
    private int _threadStarts;
    private volatile bool _disposed;

    public AsyncPoller(string name)
    {
        _wakeWord = (uint*)Unsafe.AsPointer(ref _words[0]);
        _napWord = (uint*)Unsafe.AsPointer(ref _words[1]);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
    }

    /// <summary>Threads this poller has started (tests: 1 at most, whatever its contexts did).</summary>
    internal int ThreadStarts => Volatile.Read(ref _threadStarts);

    /// <summary>Contexts it serves now (tests).</summary>
    internal int ContextCount => Volatile.Read(ref _contexts).Length;

    /// <summary>Adds a context; the thread starts with the first ever added (never after <see cref="Dispose"/>).</summary>
    public void Add(WdContext context)
    {
        lock (_lock)
        {
            _contexts = [.. _contexts, context];
            if (!_started && !_disposed)
            {
                // Once: the count of contexts may go back to 0 and up again (a broker restart), the thread stays.
                _started = true;
                _threadStarts++;
                _thread.Start();
            }
        }

        Interlocked.Increment(ref *_wakeWord);
        Futex.Wake((nint)_wakeWord, 1); // the new context may already have requests: look at it now
    }

    /// <summary>Stops serving a context that is being closed (the thread may still hold it for one round: the context
    /// refuses to be polled once disposed).</summary>
    public void Remove(WdContext context)
    {
        lock (_lock)
        {
            _contexts = [.. _contexts.Where(c => c != context)];
        }
    }

    /// <summary>Tells the poller a request was submitted on <paramref name="context"/>: wakes it if it sleeps without
    /// watching that context's completion word (one atomic add otherwise; a poller asleep on the word is woken by the
    /// completion itself, so a busy context costs no system call per submission).</summary>
    public void Notify(WdContext context)
    {
        Interlocked.Increment(ref *_wakeWord);
        // Dekker with Sleep: the submitter counted the request in flight, then reads _sleeping; the poller sets
        // _sleeping, then reads the in-flight counts to choose what it watches. Either it watches this context, or we
        // see it asleep and (PollerWatching being false or stale) wake it.
        if (Volatile.Read(ref _sleeping) != 0 && !context.PollerWatching)
        {
            Futex.Wake((nint)_wakeWord, 1);
        }
    }

    private void Run()
    {
        while (!_disposed)
        {
            // The snapshot comes first: a submission after it moves the word (the sleep below returns at once), one
            // before it is counted in inFlight.
            uint snapshot = Volatile.Read(ref *_wakeWord);
            WdContext[] contexts = Volatile.Read(ref _contexts);
            int reaped = 0, inFlight = 0;
            foreach (WdContext context in contexts)
            {
                reaped += context.Poll(int.MaxValue);
                inFlight += context.AsyncInFlight;
            }

            if (reaped > 0)
            {
                continue;
            }

            if (inFlight == 0)
            {
                foreach (WdContext context in contexts)
                {
                    context.ResetAsyncEstimate(); // idle: the next burst is measured afresh
                }

                // No contexts at all (all closed, e.g. by a broker restart): nothing to look at until Add or Dispose
                // moves the word, so no timeout; the thread costs nothing until then.
                Sleep(snapshot, [], contexts.Length == 0 ? Timeout.InfiniteTimeSpan : s_idleSleep);
            }
            else if (Coalesce(contexts) is { } pause && pause > TimeSpan.Zero)
            {
                // Unannounced: neither completions nor submissions wake it, so the completions of the pause come in one burst.
                Futex.Wait((nint)_napWord, 0, pause);
            }
            else if (Spin(contexts, snapshot))
            {
                Sleep(snapshot, contexts, s_busySleep);
            }
        }
    }

    /// <summary>The shortest coalescing pause among the contexts with requests in flight (zero when any of them
    /// completes quickly: then the poller spins or sleeps announced, as usual).</summary>
    private static TimeSpan Coalesce(WdContext[] contexts)
    {
        TimeSpan pause = TimeSpan.MaxValue;
        foreach (WdContext context in contexts)
        {
            if (context.AsyncInFlight > 0)
            {
                TimeSpan delay = context.CoalesceDelay();
                if (delay < pause)
                {
                    pause = delay;
                }
            }
        }

        return pause == TimeSpan.MaxValue ? TimeSpan.Zero : pause;
    }

    /// <summary>Polls for about the contexts' recent service time (see <see cref="WdContext.PollerSpin"/>); true when
    /// nothing happened and the poller should sleep.</summary>
    private bool Spin(WdContext[] contexts, uint snapshot)
    {
        TimeSpan spin = TimeSpan.Zero;
        foreach (WdContext context in contexts)
        {
            if (context.AsyncInFlight > 0 && context.PollerSpin() > spin)
            {
                spin = context.PollerSpin();
            }
        }

        long spinUntil = Stopwatch.GetTimestamp() + (long)(spin.TotalSeconds * Stopwatch.Frequency);
        for (int round = 1; Stopwatch.GetTimestamp() < spinUntil; round++)
        {
            foreach (WdContext context in contexts)
            {
                if (context.Queue.HasCompletion || context.Queue.State != QueueState.Started)
                {
                    return false;
                }
            }

            if (Volatile.Read(ref *_wakeWord) != snapshot || _disposed)
            {
                return false;
            }

            // Hazard: with as many busy threads as cores, a pure spin holds the core an engine needs.
            if ((round & 63) == 0)
            {
                Thread.Yield();
            }
            else
            {
                Thread.SpinWait(10);
            }
        }

        return true;
    }

    /// <summary>Sleeps until the poller's word moves, a completion arrives on one of <paramref name="watched"/> (those
    /// with requests in flight), or <paramref name="timeout"/> passes.</summary>
    private void Sleep(uint snapshot, WdContext[] watched, TimeSpan timeout)
    {
        Span<FutexWaiter> waiters = _waiters;
        waiters[0] = FutexWaiter.Create((nint)_wakeWord, snapshot);
        int count = 1;
        bool ready = false, overflow = false;
        Volatile.Write(ref _sleeping, 1);
        Interlocked.MemoryBarrier(); // Notify adds, then reads _sleeping: either it sees us, or we see its add
        try
        {
            foreach (WdContext context in watched)
            {
                if (context.AsyncInFlight == 0)
                {
                    continue;
                }

                if (count == waiters.Length || !context.Queue.HasWakeWord)
                {
                    overflow = true; // naps briefly: a kernel queue signals through poll(), which this wait cannot join
                    break;
                }

                if (!context.Queue.BeginWait(out waiters[count]))
                {
                    ready = true; // a completion is there, or the queue stopped: the next round handles it
                    break;
                }

                _begun[count - 1] = context;
                context.PollerWatching = true;
                count++;
            }

            if (!ready && !_disposed && Volatile.Read(ref *_wakeWord) == snapshot)
            {
                // Without futex_waitv (Linux before 5.16), or with more queues than it takes, nap briefly instead.
                TimeSpan nap = overflow || (count > 1 && !s_waitAny) ? s_shortNap : timeout;
                if (count == 1 || !s_waitAny)
                {
                    Futex.Wait((nint)_wakeWord, snapshot, nap);
                }
                else
                {
                    Futex.TryWaitAny(waiters[..count], nap, out _);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sleeping, 0);
            for (int i = 0; i < count - 1; i++)
            {
                _begun[i]!.PollerWatching = false;
                _begun[i]!.Queue.EndWait(in waiters[i + 1]); // counts what a lost wake-up left there (late reaps)
                _begun[i] = null;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true; // under the lock: an Add after this does not start the thread, one before it did
        }

        Interlocked.Increment(ref *_wakeWord);
        Futex.Wake((nint)_wakeWord);
        if (_thread.IsAlive && _thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

    }
}
