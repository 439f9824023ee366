namespace WarpDrive.Devices;

/// <summary>A client process's address space as the devices see it: the table of ranges it has shared
/// (an IOMMU page table in miniature). One domain per client, shared by all its queues on all devices,
/// so a buffer shared once is valid everywhere. Every address in a descriptor is checked here;
/// anything outside every shared range is an <c>ADDRESS_FAULT</c>.</summary>
/// <remarks>Share/Unshare take a lock; <see cref="TryTranslate"/> is lock-free (engine threads call it per request).
/// Each entry is a seqlock: the writer makes its version odd, writes start and end, then makes it even again; a reader
/// takes an entry only if it saw the same even version before and after reading it.</remarks>
public sealed class Domain
{
    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private Range[] _ranges = new Range[64];
    private int _highWater;
    private int _count;

    private struct Range
    {
        public ulong Start;
        public ulong End; // exclusive; 0 = free
        public uint Version; // odd while being written
    }

    /// <summary>Ranges currently shared.</summary>
    public int SharedRangeCount => Volatile.Read(ref _count);

    /// <summary>Makes [address, address + length) device-visible.</summary>
    /// <returns>A handle for <see cref="Unshare"/>.</returns>
    public int Share(nint address, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ulong start = (ulong)address;
        if (start == 0 || start + (ulong)length < start)
        {
            throw new ArgumentOutOfRangeException(nameof(address), "range is null or wraps the address space");
        }

        lock (_lock)
        {
            int index;
            if (_free.Count > 0)
            {
                index = _free.Pop();
            }
            else
            {
                if (_highWater == _ranges.Length)
                {
                    var grown = new Range[_ranges.Length * 2];
                    Array.Copy(_ranges, grown, _ranges.Length);
                    Volatile.Write(ref _ranges, grown);
                }

                index = _highWater;
            }

            Write(ref _ranges[index], start, start + (ulong)length);
            if (index == _highWater)
            {
                Volatile.Write(ref _highWater, index + 1);
            }

            _count++;
            return index + 1;
        }
    }

    /// <summary>Withdraws a range shared with <see cref="Share"/>.</summary>
    public void Unshare(int handle)
    {
        lock (_lock)
        {
            int index = handle - 1;
            if ((uint)index >= (uint)_highWater || _ranges[index].End == 0)
            {
                throw new ArgumentException("not a shared range of this domain", nameof(handle));
            }

            Write(ref _ranges[index], 0, 0);
            _free.Push(index);
            _count--;
        }
    }

    private static void Write(ref Range range, ulong start, ulong end)
    {
        Volatile.Write(ref range.Version, range.Version + 1);
        Interlocked.MemoryBarrier(); // the odd version is visible before the fields change
        range.Start = start;
        range.End = end;
        Volatile.Write(ref range.Version, range.Version + 1);
    }

    /// <summary>Checks that [address, address + length) lies inside one shared range and gives the device's pointer
    /// to it (the same address in-process). A zero-length range is valid at any address and translates to zero.</summary>
    public bool TryTranslate(ulong address, ulong length, out nint pointer)
    {
        pointer = 0;
        if (length == 0)
        {
            return true;
        }

        ulong end = address + length;
        if (address == 0 || end < address)
        {
            return false;
        }

        Range[] ranges = Volatile.Read(ref _ranges);
        int high = Math.Min(Volatile.Read(ref _highWater), ranges.Length);
        for (int i = 0; i < high; i++)
        {
            ref Range r = ref ranges[i];
            uint version = Volatile.Read(ref r.Version);
            ulong e = Volatile.Read(ref r.End);
            if (e < end || (version & 1) != 0)
            {
                continue;
            }

            // Acquire reads: the version cannot be read again before the fields were.
            ulong s = Volatile.Read(ref r.Start);
            if (s <= address && Volatile.Read(ref r.Version) == version)
            {
                pointer = (nint)address;
                return true;
            }
        }

        return false;
    }
}
