using System.Diagnostics.Metrics;
using WarpDrive.Queues;

namespace WarpDrive.Diagnostics;

/// <summary>The live contexts of the process, for <see cref="WdMetrics.InFlightName"/>: a context enters when it is made
/// and leaves when it is disposed. Held weakly, so that a context nobody disposed is not kept alive by its metric.
/// Nothing here runs per request: the observation reads each context's in-flight count when a listener collects.</summary>
internal static class InFlightContexts
{
    private static readonly Lock s_lock = new();
    private static readonly List<WeakReference<WdContext>> s_contexts = [];

    public static void Add(WdContext context)
    {
        lock (s_lock)
        {
            s_contexts.Add(new WeakReference<WdContext>(context));
        }
    }

    public static void Remove(WdContext context)
    {
        lock (s_lock)
        {
            s_contexts.RemoveAll(w => !w.TryGetTarget(out WdContext? c) || c == context);
        }
    }

    /// <summary>Requests in flight per device (name and location): the sum over its live contexts, 0 for a device
    /// whose contexts are idle.</summary>
    public static IEnumerable<Measurement<int>> Observe()
    {
        var totals = new Dictionary<(string Device, string Location), int>();
        lock (s_lock)
        {
            for (int i = s_contexts.Count - 1; i >= 0; i--)
            {
                if (!s_contexts[i].TryGetTarget(out WdContext? context))
                {
                    s_contexts.RemoveAt(i);
                    continue;
                }

                (string, string) key = (context.Metrics.Device, context.Metrics.Location);
                totals[key] = totals.GetValueOrDefault(key) + context.InFlight;
            }
        }

        var measurements = new Measurement<int>[totals.Count];
        int n = 0;
        foreach (((string device, string location), int inFlight) in totals)
        {
            measurements[n++] = new Measurement<int>(inFlight, new KeyValuePair<string, object?>(WdMetrics.DeviceTag, device),
                new KeyValuePair<string, object?>(WdMetrics.LocationTag, location));
        }

        return measurements;
    }
}
