namespace WarpDrive.Broker;

/// <summary>A count per key where an absent key counts 0 and a key whose count falls to 0 is dropped, so that
/// <see cref="Keys"/> is the number of keys holding something: the queues an account holds of a device
/// (<see cref="DeviceQuota"/>), the queues an allocation's clients hold per device (<see cref="Allocation"/>).</summary>
internal sealed class Tally<TKey>(IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly Dictionary<TKey, int> _counts = new(comparer);

    /// <summary>Keys with a count above 0.</summary>
    public int Keys => _counts.Count;

    /// <summary>The count of <paramref name="key"/> (0 when absent).</summary>
    public int this[TKey key] => _counts.GetValueOrDefault(key);

    /// <summary>Counts one more of <paramref name="key"/>.</summary>
    public void Add(TKey key) => _counts[key] = this[key] + 1;

    /// <summary>Counts one less of <paramref name="key"/>; false (nothing changed) when it counts 0.</summary>
    public bool TryRemove(TKey key)
    {
        int count = this[key];
        if (count == 0)
        {
            return false;
        }

        if (count == 1)
        {
            _counts.Remove(key);
        }
        else
        {
            _counts[key] = count - 1;
        }

        return true;
    }
}
