using WarpDrive.Scheduling;

namespace WarpDrive.Pipeline;

/// <summary>The requests of a session that are in flight, counted so that a session can wait for the device to stop
/// reading what it lends by address with every request (its key, its dictionary) before it replaces or frees it.</summary>
internal sealed class SessionRequestCount
{
    private int _inFlight;
    private bool _closed;

    /// <summary>Requests counted in and not yet out (tests).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts a request in; false when the session is closed. A <see cref="CloseAndWait"/> that runs meanwhile
    /// either sees the request and waits for it, or has already closed, which this sees.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _closed))
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        return true;
    }

    /// <summary>Counts a request out: it completed, or ended without a completion.</summary>
    public void Exit() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Waits until the requests in flight have completed or their queue stopped being served.</summary>
    public void Wait(ContextBinding binding)
    {
        // A request on a queue that stopped being served is failed by whoever polls (here or a library poller).
        SpinWait spin = default;
        while (Volatile.Read(ref _inFlight) > 0)
        {
            binding.Poll(int.MaxValue); // without polling threads nobody else would reap them
            spin.SpinOnce();
        }
    }

    /// <summary>Admits no further request, then waits for those in flight.</summary>
    public void CloseAndWait(ContextBinding binding)
    {
        Volatile.Write(ref _closed, true);
        Wait(binding);
    }
}
