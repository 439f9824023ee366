using WarpDrive.Scheduling;

namespace WarpDrive.Queues;

/// <summary>Bytes a session hands the device by address with its requests (a crypto session's key, a compression
/// session's zstd dictionary), kept in device-visible memory on each device the session has used: copied to a device
/// the first time a request goes there (failover, Mix mode's inline device), found again without a lock afterwards.
/// Every copy is zeroed when it is replaced or released (<see cref="IDeviceMemory"/>).</summary>
/// <remarks>Not safe against requests in flight: the owner waits for them before <see cref="Set"/> and
/// <see cref="Clear"/>.</remarks>
internal sealed class SessionBytes
{
    private readonly List<Copy> _copies = []; // the bytes on each device the session used; also the lock
    private Copy? _last; // the copy the last request used

    private sealed record Copy(DevicePool Pool, IDeviceMemory Memory);

    /// <summary>The length of the bytes; 0 when none are set.</summary>
    public int Length { get; private set; }

    /// <summary>Whether bytes are set.</summary>
    public bool IsSet => Length > 0;

    /// <summary>The first device-visible copy (tests: what the device reads, and what is left of replaced bytes).</summary>
    public ReadOnlySpan<byte> FirstCopy => _copies.Count == 0 ? default : _copies[0].Memory.Span;

    /// <summary>Replaces the bytes with <paramref name="bytes"/>, first copied to <paramref name="pool"/>'s device (or,
    /// when some are set, to the device of their first copy). The new memory is had before the old is released: if it
    /// cannot be had, the old bytes stay.</summary>
    public void Set(ReadOnlySpan<byte> bytes, DevicePool pool)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bytes.Length);
        lock (_copies)
        {
            DevicePool target = _copies.Count > 0 ? _copies[0].Pool : pool;
            IDeviceMemory memory = Rent(target, bytes.Length);
            ClearLocked();
            bytes.CopyTo(memory.Span);
            _copies.Add(new Copy(target, memory));
            Length = bytes.Length;
        }
    }

    /// <summary>The address of the bytes on <paramref name="pool"/>'s device, copying them there first when the session
    /// has not used that device before.</summary>
    public nint Address(DevicePool pool)
    {
        if (Volatile.Read(ref _last) is { } last && last.Pool == pool)
        {
            return last.Memory.Address;
        }

        lock (_copies)
        {
            foreach (Copy copy in _copies)
            {
                if (copy.Pool == pool)
                {
                    Volatile.Write(ref _last, copy);
                    return copy.Memory.Address;
                }
            }

            IDeviceMemory memory = Rent(pool, Length);
            _copies[0].Memory.Span[..Length].CopyTo(memory.Span);
            var added = new Copy(pool, memory);
            _copies.Add(added);
            Volatile.Write(ref _last, added);
            return memory.Address;
        }
    }

    /// <summary>Zeroes and frees every copy.</summary>
    public void Clear()
    {
        lock (_copies)
        {
            ClearLocked();
        }
    }

    private void ClearLocked()
    {
        Volatile.Write(ref _last, null);
        foreach ((_, IDeviceMemory memory) in _copies)
        {
            memory.Dispose();
        }

        _copies.Clear();
        Length = 0;
    }

    /// <summary>Zeroed memory on <paramref name="pool"/>'s device: its key slab when the bytes fit, a buffer of their
    /// own otherwise.</summary>
    private static IDeviceMemory Rent(DevicePool pool, int length) =>
        pool.Keys.TryRent(length, out IDeviceMemory? slab) ? slab : DeviceBuffer.Create(pool.AnyQueue, Math.Max(length, 64));
}
