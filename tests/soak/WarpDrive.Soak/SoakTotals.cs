namespace WarpDrive.Soak;

/// <summary>What the client processes did, summed as they end. A client that ran to its end contributes its
/// <c>final</c> counts: its open requests then are lost. A client killed with SIGKILL on purpose contributes its last
/// <c>stats</c> counts (up to 2 s old); the requests it had in flight died with it and are counted apart
/// (<see cref="InFlightAtKill"/>), not as lost: no one was left to lose them.</summary>
internal sealed class SoakTotals
{
    private readonly Lock _lock = new();
    private readonly List<string> _failures = [];
    private LedgerCounts _graceful, _killed;
    private int _clientsEnded, _clientsKilled;

    /// <summary>Counts of the clients that ran to their end.</summary>
    public LedgerCounts Graceful
    {
        get
        {
            lock (_lock)
            {
                return _graceful;
            }
        }
    }

    /// <summary>Counts of the clients killed on purpose, as they last reported.</summary>
    public LedgerCounts Killed
    {
        get
        {
            lock (_lock)
            {
                return _killed;
            }
        }
    }

    /// <summary>Requests done by every client, ended or killed.</summary>
    public long Done => Graceful.Done + Killed.Done;

    /// <summary>Requests open in the clients that ran to their end after they drained: must be 0.</summary>
    public long Lost => Graceful.Open;

    /// <summary>Requests in flight in killed clients at their last report.</summary>
    public long InFlightAtKill => Killed.Open;

    /// <summary>Clients that ran to their end.</summary>
    public int ClientsEnded => Volatile.Read(ref _clientsEnded);

    /// <summary>Clients killed with SIGKILL.</summary>
    public int ClientsKilled => Volatile.Read(ref _clientsKilled);

    /// <summary>Clients that did not end as they should (no final line, non-zero exit, hung).</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>A client ended by itself with these final counts.</summary>
    public void AddEnded(LedgerCounts final)
    {
        lock (_lock)
        {
            _graceful += final;
            _clientsEnded++;
        }
    }

    /// <summary>A client was killed; these were its last counts.</summary>
    public void AddKilled(LedgerCounts last)
    {
        lock (_lock)
        {
            _killed += last;
            _clientsKilled++;
        }
    }

    /// <summary>A client failed.</summary>
    public void AddFailure(string what)
    {
        lock (_lock)
        {
            _failures.Add(what);
        }
    }
}
