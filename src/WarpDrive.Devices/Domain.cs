namespace WarpDrive.Devices;

/// <summary>A client process's address space as the devices see it: the table of ranges it has shared
/// (an IOMMU page table in miniature). One domain per client, shared by all its queues on all devices,
/// so a buffer shared once is valid everywhere. Every address in a descriptor is checked here;
/// anything outside every shared range is an <c>ADDRESS_FAULT</c>.</summary>
/// <remarks>Share/Unshare take a lock; <see cref="TryTranslate"/> is lock-free (engine threads call it per request).
/// An entry is published by writing its start, then its end; a reader re-reads the end to detect reuse.</remarks>
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

            Range[] ranges = _ranges;
            ranges[index].Start = start;
            Volatile.Write(ref ranges[index].End, start + (ulong)length);
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

            Volatile.Write(ref _ranges[index].End, 0UL);
            _free.Push(index);
            _count--;
        }
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
            ulong e = Volatile.Read(ref ranges[i].End);
            if (e < end)
            {
                continue;
            }

            ulong s = Volatile.Read(ref ranges[i].Start);
            if (s <= address && Volatile.Read(ref ranges[i].End) == e)
            {
                pointer = (nint)address;
                return true;
            }
        }

        return false;
    }
}
