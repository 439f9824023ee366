namespace WarpDrive.Cli.Bench;

/// <summary>What one submitting thread has done and has outstanding: written by the thread as it goes, read by the
/// runner once the run's time is up, to tell a slow drain (completions still coming) from a stall
/// (<see cref="BenchStalledException"/>).</summary>
internal sealed class BenchProgress
{
    private int _inFlight;
    private long _completed;
    private volatile bool _measuring;
    private volatile bool _busy;

    /// <summary>Requests completed so far, warm-up included (the runner's sign of life).</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>Counts <paramref name="n"/> completions (the thread's own, so a plain add published with a release).</summary>
    public void Complete(long n = 1) => Volatile.Write(ref _completed, _completed + n);

    /// <summary>Requests the thread has started and not yet taken back.</summary>
    public int InFlight
    {
        get => Volatile.Read(ref _inFlight);
        set => Volatile.Write(ref _inFlight, value);
    }

    /// <summary>Whether the thread has not finished its loop (set by the runner around it).</summary>
    public bool Busy
    {
        get => _busy;
        set => _busy = value;
    }

    /// <summary>Whether the thread is past its warm-up.</summary>
    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }
}
