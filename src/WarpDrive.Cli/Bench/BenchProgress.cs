namespace WarpDrive.Cli.Bench;

/// <summary>What one submitting thread has outstanding, for the report of a run that does not end
/// (<see cref="BenchStalledException"/>): written by the thread as it goes, read by the runner only then.</summary>
internal sealed class BenchProgress
{
    private int _inFlight;
    private volatile bool _measuring;

    /// <summary>Requests the thread has started and not yet taken back.</summary>
    public int InFlight
    {
        get => Volatile.Read(ref _inFlight);
        set => Volatile.Write(ref _inFlight, value);
    }

    /// <summary>Whether the thread is past its warm-up.</summary>
    public bool Measuring
    {
        get => _measuring;
        set => _measuring = value;
    }
}
