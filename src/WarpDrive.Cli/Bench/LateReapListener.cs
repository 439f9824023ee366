using System.Diagnostics.Metrics;
using WarpDrive.Diagnostics;

namespace WarpDrive.Cli.Bench;

/// <summary>Counts <see cref="WdMetrics.LateReapsName"/> while a run lasts (completions only a sleep's timeout found:
/// lost wake-ups, which must not happen). It listens to that instrument alone, which a request never touches unless a
/// wake-up was lost, so the run pays nothing for it.</summary>
internal sealed class LateReapListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public LateReapListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WdMetrics.MeterName && instrument.Name == WdMetrics.LateReapsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    /// <summary>Late reaps so far.</summary>
    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
