namespace WarpDrive.Devices.Engines;

/// <summary>Which dictionary (and level) a zstd context holds, so that requests naming the same dictionary again (a
/// session's block requests, one after another) start a frame on the tables zstd built for it instead of loading and
/// digesting it anew. Compared by content, not by address: the client may have changed the bytes.</summary>
internal struct ZstdDictionaryCache
{
    private byte[]? _bytes;
    private int _level;

    /// <summary>Whether the context holds a dictionary.</summary>
    public readonly bool IsSet => _bytes is not null;

    /// <summary>Whether the context holds <paramref name="dictionary"/> (not empty) loaded at <paramref name="level"/>.</summary>
    public readonly bool Holds(ReadOnlySpan<byte> dictionary, int level) =>
        _bytes is not null && !dictionary.IsEmpty && _level == level && dictionary.SequenceEqual(_bytes);

    /// <summary>The context now holds <paramref name="dictionary"/> at <paramref name="level"/>.</summary>
    public void Remember(ReadOnlySpan<byte> dictionary, int level)
    {
        _bytes = dictionary.IsEmpty ? null : dictionary.ToArray();
        _level = level;
    }

    /// <summary>The context holds no dictionary (it was reset, or the load failed).</summary>
    public void Forget() => _bytes = null;
}
