namespace WarpDrive.Devices.Zip;

/// <summary>The stream contexts of one queue, created on first use of a <c>StreamId</c>.</summary>
internal sealed class ZipQueueState(int maxStreams) : IDisposable
{
    private readonly ZipStream?[] _streams = new ZipStream?[maxStreams];
    private readonly bool[] _started = new bool[maxStreams];

    public ZipStream GetOrCreate(uint id) => _streams[id] ??= new ZipStream();

    public bool IsStarted(uint id) => _started[id];

    public void MarkStarted(uint id, bool started) => _started[id] = started;

    public void Release(uint id)
    {
        _streams[id]?.Dispose();
        _streams[id] = null;
        _started[id] = false;
    }

    public void Dispose()
    {
        for (uint i = 0; i < _streams.Length; i++)
        {
            Release(i);
        }
    }
}
