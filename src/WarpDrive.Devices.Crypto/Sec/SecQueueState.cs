using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>The digest stream contexts of one queue, indexed by <c>StreamId</c>: a stream exists from its
/// <see cref="SqeFlags.NewStream"/> piece to its <see cref="SqeFlags.Last"/> piece or
/// <see cref="Opcode.StreamRelease"/>. Freeing one scrubs its key schedule.</summary>
internal sealed class SecQueueState(int maxStreams) : IDisposable
{
    private readonly DigestStream?[] _streams = new DigestStream?[maxStreams];

    public DigestStream? Get(uint id) => _streams[id];

    /// <summary>Starts stream <paramref name="id"/> afresh, freeing what it held.</summary>
    public DigestStream Start(uint id, DigestAlgorithm algorithm, DigestMode mode, SecDigest digest)
    {
        Release(id);
        return _streams[id] = new DigestStream(algorithm, mode, digest);
    }

    public void Release(uint id)
    {
        _streams[id]?.Digest.Dispose();
        _streams[id] = null;
    }

    public void Dispose()
    {
        for (uint i = 0; i < _streams.Length; i++)
        {
            Release(i);
        }
    }
}
