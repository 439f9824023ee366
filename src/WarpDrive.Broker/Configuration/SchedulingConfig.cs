using System.Collections.ObjectModel;

namespace WarpDrive.Broker.Configuration;

/// <summary>How a device's workers share their time between users (<c>wdd.json</c> <c>scheduling</c>): deficit round
/// robin on measured worker time, by weight, and a bulk lane for long requests (docs/SECURITY.md).</summary>
public sealed record SchedulingConfig
{
    private static readonly ReadOnlyDictionary<uint, int> s_noWeights = new(new Dictionary<uint, int>());

    /// <summary>Worker time per turn for a user of weight 1 (<c>quantum_us</c>, microseconds 10..100000; default 1000).</summary>
    public int QuantumMicroseconds { get; init; } = 1000;

    /// <summary>Input bytes above which a request runs on the device's bulk lane rather than a worker
    /// (<c>bulk_threshold</c>, a size; 0 turns the lane off; default <c>"256KiB"</c>).</summary>
    public long BulkThresholdBytes { get; init; } = 256 << 10;

    /// <summary>Weight of a user that <see cref="Weights"/> does not name (<c>default_weight</c>, 1..1000; default 1).</summary>
    public int DefaultWeight { get; init; } = 1;

    /// <summary>Per-uid weights (<c>weights</c>: an object whose keys are numeric uids, values 1..1000): a user of
    /// weight 3 gets three times the worker time of a user of weight 1 while both have work.</summary>
    public IReadOnlyDictionary<uint, int> Weights { get; init; } = s_noWeights;

    /// <summary>Per-uid caps (<c>max_share</c>: an object whose keys are numeric uids, values 1..100): the most
    /// percent of each worker's time, and of the bulk lane's, the user may take even when no one else wants it.</summary>
    public IReadOnlyDictionary<uint, int> MaxShares { get; init; } = s_noWeights;

    /// <summary>The weight of <paramref name="uid"/>.</summary>
    public int WeightOf(uint uid) => Weights.TryGetValue(uid, out int w) ? w : DefaultWeight;

    /// <summary>The cap of <paramref name="uid"/> in percent (100: none).</summary>
    public int MaxShareOf(uint uid) => MaxShares.TryGetValue(uid, out int p) ? p : 100;
}
