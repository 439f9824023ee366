namespace WarpDrive.Cli.Bench;

/// <summary>One block of memory for a worker's buffers, cut into slices: pinned managed memory, or in SHARE mode a
/// region the broker made (<see cref="WdRuntime.ReserveMemory"/>), so that its engines work in place.</summary>
internal sealed class BenchBuffers : IDisposable
{
    private readonly WdSharedMemory? _shared;
    private readonly Memory<byte> _memory;
    private int _used;

    public BenchBuffers(int length, WdRuntime? shareWith)
    {
        length = Math.Max(length, 64);
        if (shareWith is not null)
        {
            _shared = shareWith.ReserveMemory(length);
            _memory = _shared.Memory;
        }
        else
        {
            _memory = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        }
    }

    /// <summary>The next <paramref name="length"/> bytes (64-byte aligned within the block).</summary>
    public Memory<byte> Take(int length)
    {
        Memory<byte> slice = _memory.Slice(_used, length);
        _used += (length + 63) & ~63;
        return slice;
    }

    /// <summary>Bytes needed for slices of these lengths.</summary>
    public static int Size(params ReadOnlySpan<int> lengths)
    {
        int total = 0;
        foreach (int length in lengths)
        {
            total += (length + 63) & ~63;
        }

        return total;
    }

    public void Dispose() => _shared?.Dispose();
}
