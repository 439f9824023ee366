using System.Diagnostics.Metrics;
using WarpDrive.Diagnostics;

namespace WarpDrive.Tests.Metrics;

/// <summary>An in-test <see cref="MeterListener"/> on the <c>WarpDrive</c> meter: keeps every measurement with its tags,
/// and sums or lists them by instrument and tag values.</summary>
internal sealed class MeterRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _lock = new();
    private readonly List<Recorded> _measurements = [];

    public MeterRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == WdMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Add(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(i, value, tags));
        _listener.Start();
    }

    public sealed record Recorded(string Instrument, double Value, IReadOnlyDictionary<string, string?> Tags);

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>();
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value as string;
        }

        lock (_lock)
        {
            _measurements.Add(new Recorded(instrument.Name, value, copy));
        }
    }

    /// <summary>Measurements of <paramref name="instrument"/> whose tags include every (name, value) of <paramref name="tags"/>.</summary>
    public IReadOnlyList<Recorded> Of(string instrument, params (string Name, string Value)[] tags) => Of(0, instrument, tags);

    private List<Recorded> Of(int from, string instrument, (string Name, string Value)[] tags)
    {
        lock (_lock)
        {
            return [.. _measurements.Skip(from).Where(m => m.Instrument == instrument && tags.All(t => m.Tags.GetValueOrDefault(t.Name) == t.Value))];
        }
    }

    public double Sum(string instrument, params (string Name, string Value)[] tags) => Of(instrument, tags).Sum(m => m.Value);

    /// <summary>Has the observable instruments report now; returns what <paramref name="instrument"/> reported.</summary>
    public IReadOnlyList<Recorded> Observe(string instrument, params (string Name, string Value)[] tags)
    {
        int from;
        lock (_lock)
        {
            from = _measurements.Count;
        }

        _listener.RecordObservableInstruments();
        return Of(from, instrument, tags);
    }

    public void Dispose() => _listener.Dispose();
}
