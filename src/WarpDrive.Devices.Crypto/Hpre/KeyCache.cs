using System.Security.Cryptography;

namespace WarpDrive.Devices.Hpre;

/// <summary>A few imported keys of one queue, found by the exact bytes of the key the client passed: importing an
/// RSA or EC key costs more than using it, and a client usually signs many times with one key. A hit compares the
/// whole blob with the cached copy, so a different key can never be mistaken for a cached one. Eviction is
/// round-robin; an evicted entry's copy of the key bytes is zeroed and its key object disposed.</summary>
/// <remarks>Used only by the engine that serves the queue (one at a time), so it needs no lock.</remarks>
internal sealed class KeyCache : IDisposable
{
    /// <summary>Entries per queue.</summary>
    public const int Capacity = 8;

    private readonly Entry?[] _entries = new Entry?[Capacity];
    private int _next;

    /// <summary>The cached key of <paramref name="kind"/> imported from exactly <paramref name="blob"/>, or null.</summary>
    public IDisposable? Find(int kind, ReadOnlySpan<byte> blob)
    {
        foreach (Entry? e in _entries)
        {
            if (e is not null && e.Kind == kind && CryptographicOperations.FixedTimeEquals(blob, e.Blob))
            {
                return e.Value;
            }
        }

        return null;
    }

    /// <summary>Caches <paramref name="value"/> (the cache now owns it) under a copy of <paramref name="blob"/>.</summary>
    public void Add(int kind, ReadOnlySpan<byte> blob, IDisposable value)
    {
        Evict(_next);
        _entries[_next] = new Entry(kind, blob.ToArray(), value);
        _next = (_next + 1) % Capacity;
    }

    /// <summary>How many entries are in use.</summary>
    public int Count => _entries.Count(e => e is not null);

    public void Dispose()
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            Evict(i);
        }
    }

    private void Evict(int index)
    {
        if (_entries[index] is { } e)
        {
            CryptographicOperations.ZeroMemory(e.Blob);
            e.Value.Dispose();
            _entries[index] = null;
        }
    }

    private sealed record Entry(int Kind, byte[] Blob, IDisposable Value);
}
