using System.Diagnostics.Metrics;
using WarpDrive.Abi.Stats;
using WarpDrive.Devices;

namespace WarpDrive.Broker;

/// <summary>wdd's side of the <c>WarpDrive</c> meter: its devices' engine counters (the ones its stats file publishes
/// for <c>wd top</c>, docs/STATS.md), as observable instruments named <c>warpdrive.device.*</c> and tagged
/// <c>device</c> and <c>location</c> = <c>broker</c>. They are read only when a listener collects (about once a second
/// for <c>dotnet-counters monitor -n wdd --counters WarpDrive</c>): nothing is added to the request path. The clients'
/// own view (algorithm, operation, durations) is libwd's <c>warpdrive.*</c> instruments in each client process.</summary>
internal sealed class BrokerMetrics : IDisposable
{
    /// <summary>The meter's name, libwd's too (<c>WdMetrics.MeterName</c>).</summary>
    public const string MeterName = "WarpDrive";

    private const string Location = "broker";
    private readonly Meter _meter = new(MeterName);
    private readonly IReadOnlyList<DeviceHost> _hosts;

    /// <summary>Publishes <paramref name="hosts"/>, which must outlive this object or be disposed after it.</summary>
    public BrokerMetrics(IReadOnlyList<DeviceHost> hosts)
    {
        _hosts = hosts;
        _meter.CreateObservableCounter("warpdrive.device.requests", () => Observe(q => (long)q.Completed), "{request}",
            "Requests the device completed (CQEs posted), all clients together.");
        _meter.CreateObservableCounter("warpdrive.device.errors", () => Observe(q => (long)q.Errors), "{error}",
            "Completions neither OK nor OUT_OF_SPACE.");
        _meter.CreateObservableCounter("warpdrive.device.bytes.in", () => Observe(q => (long)q.BytesIn), "By",
            "Input bytes the device's requests took.");
        _meter.CreateObservableCounter("warpdrive.device.bytes.out", () => Observe(q => (long)q.BytesOut), "By",
            "Output bytes the device's requests produced.");
        _meter.CreateObservableUpDownCounter("warpdrive.device.queue.depth", () => Observe(q => (long)q.Depth), "{request}",
            "Requests the device has seen and not yet answered (wd top's depth), over its queues.");
        _meter.CreateObservableUpDownCounter("warpdrive.device.queues.in_use", () => Observe(q => q.State == QueueStatsState.Free ? 0 : 1), "{queue}",
            "Queues handed to clients and not yet free again.");
        _meter.CreateObservableCounter("warpdrive.device.faults", ObserveFaults, "{fault}",
            "Device faults (INTERNAL_ERROR) since the device started.");
    }

    private List<Measurement<long>> Observe(Func<QueueSnapshot, long> value)
    {
        var measurements = new List<Measurement<long>>(_hosts.Count);
        foreach (DeviceHost host in _hosts)
        {
            long total = 0;
            try
            {
                for (int q = 0; q < host.Options.QueueCount; q++)
                {
                    total += value(host.GetQueueStats(q));
                }
            }
            catch (ObjectDisposedException)
            {
                continue; // the broker is stopping
            }

            measurements.Add(Measure(total, host));
        }

        return measurements;
    }

    private List<Measurement<long>> ObserveFaults() => [.. _hosts.Select(h => Measure(h.FaultCount, h))];

    private static Measurement<long> Measure(long value, DeviceHost host) =>
        new(value, new KeyValuePair<string, object?>("device", host.Name), new KeyValuePair<string, object?>("location", Location));

    public void Dispose() => _meter.Dispose();
}
