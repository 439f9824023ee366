using System.Collections.Concurrent;
using System.Diagnostics;

namespace WarpDrive.Soak;

/// <summary>Exact accounting of one client's requests: <see cref="Begin"/> gives each request an id before it is
/// submitted, and exactly one of <see cref="Ok"/>, <see cref="ExpectedError"/>, <see cref="Error"/> and
/// <see cref="Mismatch"/> ends it. A second end of the same id is counted as a duplicate; an id never ended is open,
/// and lost if it is still open once the client has drained.</summary>
internal sealed class RequestLedger
{
    private const int MaxReports = 50;
    private readonly ConcurrentDictionary<long, string> _open = new();
    private long _next, _ok, _expected, _errors, _mismatches, _duplicates;
    private int _reports;

    /// <summary>Opens a request named <paramref name="operation"/> (for the report should it fail or never end).</summary>
    public long Begin(string operation)
    {
        long id = Interlocked.Increment(ref _next);
        _open[id] = operation;
        return id;
    }

    /// <summary>The request completed with the right result.</summary>
    public void Ok(long id) => End(id, ref _ok, null);

    /// <summary>The request failed as it had to.</summary>
    public void ExpectedError(long id) => End(id, ref _expected, null);

    /// <summary>The request failed and should not have.</summary>
    public void Error(long id, string why) => End(id, ref _errors, why);

    /// <summary>The request completed with a wrong result.</summary>
    public void Mismatch(long id, string why) => End(id, ref _mismatches, $"MISMATCH: {why}");

    /// <summary>The counts now (<see cref="LedgerCounts.Open"/> is read last).</summary>
    public LedgerCounts Snapshot()
    {
        long submitted = Volatile.Read(ref _next);
        return new(submitted, Volatile.Read(ref _ok), Volatile.Read(ref _expected), Volatile.Read(ref _errors),
            Volatile.Read(ref _mismatches), Volatile.Read(ref _duplicates), _open.Count);
    }

    /// <summary>The operations of the requests still open.</summary>
    public IReadOnlyCollection<string> OpenOperations => [.. _open.Values];

    /// <summary>Waits until no request is open; false if some still are after <paramref name="timeout"/>.</summary>
    public bool WaitUntilDrained(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!_open.IsEmpty)
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(20);
        }

        return true;
    }

    /// <summary>Writes a line to stderr (the first 50 only: a broken run should not flood the log).</summary>
    public void Report(string message)
    {
        if (Interlocked.Increment(ref _reports) <= MaxReports)
        {
            Console.Error.WriteLine(message);
        }
    }

    private void End(long id, ref long counter, string? why)
    {
        if (!_open.TryRemove(id, out string? operation))
        {
            Interlocked.Increment(ref _duplicates);
            Report($"request {id} completed a second time");
            return;
        }

        Interlocked.Increment(ref counter);
        if (why is not null)
        {
            Report($"{operation} (request {id}): {why}");
        }
    }
}
