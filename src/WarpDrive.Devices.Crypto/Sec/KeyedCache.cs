using System.Security.Cryptography;

namespace WarpDrive.Devices.Sec;

/// <summary>Makes the keyed object a <see cref="KeyedCache{T}"/> holds for <paramref name="key"/>.</summary>
internal delegate T KeyedFactory<out T>(ReadOnlySpan<byte> key, int variant);

/// <summary>A few keyed objects (an AES key schedule, an AesGcm context, an HMAC) of one engine thread, found by their
/// key bytes (compared in full on every lookup) and a variant (algorithm, tag length). The least recently used entry
/// makes room; its key copy is zeroed and its object disposed, as are all of them when the cache is.</summary>
internal sealed class KeyedCache<T>(int capacity) : IDisposable
    where T : class, IDisposable
{
    private readonly byte[]?[] _keys = new byte[]?[capacity];
    private readonly int[] _variants = new int[capacity];
    private readonly T?[] _values = new T?[capacity];
    private readonly long[] _used = new long[capacity];
    private long _clock;

    /// <summary>The object for <paramref name="key"/> and <paramref name="variant"/>, made by <paramref name="factory"/>
    /// on a miss. An object returned by an earlier call stays valid until as many other keys as the cache holds have
    /// been asked for after it.</summary>
    public T Get(ReadOnlySpan<byte> key, int variant, KeyedFactory<T> factory)
    {
        int victim = 0;
        for (int i = 0; i < _values.Length; i++)
        {
            if (_values[i] is { } value && _variants[i] == variant && CryptographicOperations.FixedTimeEquals(key, _keys[i]))
            {
                _used[i] = ++_clock;
                return value;
            }

            if (_used[i] < _used[victim])
            {
                victim = i;
            }
        }

        Evict(victim);
        byte[] copy = key.ToArray(); // the object is made from the bytes it is filed under, even if the client's change
        T made = factory(copy, variant);
        _keys[victim] = copy;
        _variants[victim] = variant;
        _values[victim] = made;
        _used[victim] = ++_clock;
        return made;
    }

    private void Evict(int slot)
    {
        if (_keys[slot] is { } old)
        {
            CryptographicOperations.ZeroMemory(old);
        }

        _values[slot]?.Dispose();
        _keys[slot] = null;
        _values[slot] = null;
        _used[slot] = 0;
    }

    /// <summary>Evicts every entry: key copies zeroed, keyed objects disposed.</summary>
    public void Clear()
    {
        for (int i = 0; i < _values.Length; i++)
        {
            Evict(i);
        }
    }

    public void Dispose() => Clear();
}
