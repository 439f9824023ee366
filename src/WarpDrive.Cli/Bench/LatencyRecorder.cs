using System.Diagnostics;

namespace WarpDrive.Cli.Bench;

/// <summary>Per-thread latency samples (Stopwatch ticks) in a preallocated ring: the newest <see cref="Capacity"/>
/// requests are kept, nothing is allocated per request.</summary>
internal sealed class LatencyRecorder
{
    public const int Capacity = 1 << 18;

    private readonly long[] _samples = new long[Capacity];
    private long _count;

    public void Add(long ticks)
    {
        _samples[(int)(_count & (Capacity - 1))] = ticks;
        _count++;
    }

    public void Clear() => _count = 0;

    /// <summary>The samples kept.</summary>
    public ReadOnlySpan<long> Samples => _samples.AsSpan(0, (int)Math.Min(_count, Capacity));

    /// <summary>Percentiles (microseconds) of all <paramref name="recorders"/>' samples: p50, p99, p99.9.</summary>
    public static (double P50, double P99, double P999) Percentiles(IEnumerable<LatencyRecorder> recorders)
    {
        long[] all = [.. recorders.SelectMany(r => r.Samples.ToArray())];
        if (all.Length == 0)
        {
            return (0, 0, 0);
        }

        Array.Sort(all);
        double At(double q) => all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1 < 0 ? 0 : (int)Math.Ceiling(q * all.Length) - 1)] * 1e6 / Stopwatch.Frequency;
        return (At(0.50), At(0.99), At(0.999));
    }
}
