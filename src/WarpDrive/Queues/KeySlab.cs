using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace WarpDrive.Queues;

/// <summary>Device-visible memory for the keys of a library's sessions on one device: one buffer (a broker-made region on a
/// SHARE-capable broker device, so the engines read keys in place; native memory entered in the domain once
/// in-process) cut into 64-byte units. One range for all sessions keeps the domain small (engines scan it for every
/// field of every request) and the broker's per-user region count untouched by session counts. A key that does not
/// fit (more than <see cref="MaxLease"/> bytes, or a full slab) gets a buffer of its own instead.</summary>
internal sealed class KeySlab(WdQueue queue) : IDisposable
{
    /// <summary>Allocation unit in bytes.</summary>
    public const int Unit = 64;

    /// <summary>Largest key the slab holds (an RSA-4096 CRT blob is 2824 bytes).</summary>
    public const int MaxLease = 4096;

    private const int Size = 64 * 1024;
    private const int Units = Size / Unit;

    private readonly Lock _lock = new();
    private readonly ulong[] _used = new ulong[Units / 64];
    private DeviceBuffer? _buffer;
    private bool _disposed;

    /// <summary>Rents at least <paramref name="length"/> zeroed bytes in the slab.</summary>
    /// <returns>false when the slab has no room for them (or none can be made): the caller then makes a buffer of its
    /// own.</returns>
    public bool TryRent(int length, [NotNullWhen(true)] out IDeviceMemory? memory)
    {
        if (length > MaxLease)
        {
            memory = null;
            return false;
        }

        int units = Math.Max(1, (length + Unit - 1) / Unit);
        lock (_lock)
        {
            if (_disposed)
            {
                memory = null;
                return false;
            }

            if (_buffer is null)
            {
                try
                {
                    _buffer = DeviceBuffer.Create(queue, Size, shared: true);
                }
                catch (WdException)
                {
                    memory = null;
                    return false; // no region to be had (the user's limit): keys get their own memory
                }
            }

            int start = FindFree(units);
            if (start < 0)
            {
                memory = null;
                return false;
            }

            Mark(start, units, used: true);
            memory = new Lease(this, _buffer.Address + (start * Unit), start, units);
            return true;
        }
    }

    private void Free(Lease lease)
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return; // the context is gone, and its slab zeroed with it
            }

            lease.Span.Clear();
            Mark(lease.Start, lease.Units, used: false);
        }
    }

    private int FindFree(int units)
    {
        int run = 0;
        for (int i = 0; i < Units; i++)
        {
            run = (_used[i / 64] & (1UL << (i % 64))) == 0 ? run + 1 : 0;
            if (run == units)
            {
                return i - units + 1;
            }
        }

        return -1;
    }

    private void Mark(int start, int units, bool used)
    {
        for (int i = start; i < start + units; i++)
        {
            if (used)
            {
                _used[i / 64] |= 1UL << (i % 64);
            }
            else
            {
                _used[i / 64] &= ~(1UL << (i % 64));
            }
        }
    }

    /// <summary>Units in use (tests).</summary>
    internal int UsedUnits
    {
        get
        {
            lock (_lock)
            {
                return _used.Sum(BitOperations.PopCount);
            }
        }
    }

    /// <summary>Zeroes and frees the slab (with the context: no request reads a key any more).</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _buffer?.Dispose();
            _buffer = null;
        }
    }

    private sealed unsafe class Lease(KeySlab slab, nint address, int start, int units) : IDeviceMemory
    {
        private int _disposed;

        public int Start => start;

        public int Units => units;

        public nint Address => address;

        public int Length => units * Unit;

        public Span<byte> Span => new((void*)address, units * Unit);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                slab.Free(this);
            }
        }
    }
}
