namespace WarpDrive.Devices;

/// <summary>A client process's address space as the devices see it: the table of ranges it has shared
/// (an IOMMU page table in miniature). One domain per client, shared by all its queues on all devices,
/// so a buffer shared once is valid everywhere. Every address in a descriptor is checked here;
/// anything outside every shared range is an <c>ADDRESS_FAULT</c>.</summary>
/// <remarks>Share/Unshare take a lock; <see cref="TryTranslate"/> is lock-free (workers call it per request).
/// Each entry is a seqlock: the writer makes its version odd, writes start, end and offset, then makes it even again;
/// a reader takes an entry only if it saw the same even version before and after reading it.
/// <para>In-process a range is the client's own memory (the device pointer is the address itself). In the broker a
/// range is a region the broker made and mapped at another address: each entry carries the offset from the client's
/// address to the device's. A broker domain of an SVA device also names the client process
/// (<see cref="RemoteProcessId"/>): addresses outside every range are then reached by copying
/// (see <see cref="RequestMemory"/>).</para></remarks>
public sealed class Domain
{
    private readonly Lock _lock = new();
    private readonly Stack<int> _free = new();
    private readonly List<HardwareQueue> _queues = [];
    private Range[] _ranges = new Range[64];
    private int _highWater;
    private int _count;

    /// <summary>A domain for the calling process's own memory (in-process devices).</summary>
    public Domain()
    {
    }

    private Domain(bool wholeAddressSpace) => IsWholeAddressSpace = wholeAddressSpace;

    /// <summary>A domain that is the calling process's whole address space, as an SVA device's is: every address
    /// translates to itself, nothing needs sharing. For devices that only this process's own library drives, in the
    /// thread that submits (Mix mode's inline devices): there is no one to check the addresses against.</summary>
    public static Domain CreateWholeAddressSpace() => new(wholeAddressSpace: true);

    /// <summary>Whether every address of the process is in the domain (<see cref="CreateWholeAddressSpace"/>).</summary>
    public bool IsWholeAddressSpace { get; }

    /// <summary>A domain for another process (the broker's clients): <paramref name="remoteProcessId"/> is the process
    /// whose memory an SVA device copies in and out; 0 when the devices may use shared ranges only.</summary>
    public Domain(int remoteProcessId) => RemoteProcessId = remoteProcessId;

    private struct Range
    {
        public ulong Start;
        public ulong End; // exclusive; 0 = free
        public long Offset; // device pointer minus client address
        public uint Version; // odd while being written
    }

    /// <summary>Ranges currently shared.</summary>
    public int SharedRangeCount => Volatile.Read(ref _count);

    /// <summary>The client process whose memory SVA devices copy in and out (broker); 0 in-process.</summary>
    public int RemoteProcessId { get; }

    /// <summary>Makes [address, address + length) device-visible: the client's own memory, in-process.</summary>
    /// <returns>A handle for <see cref="Unshare"/>.</returns>
    public int Share(nint address, long length) => Share((ulong)address, length, address);

    /// <summary>Makes [clientAddress, clientAddress + length) device-visible, backed at <paramref name="devicePointer"/>
    /// in this process (a region both sides map, at different addresses).</summary>
    /// <returns>A handle for <see cref="Unshare"/>.</returns>
    public int Share(ulong clientAddress, long length, nint devicePointer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ulong start = clientAddress;
        if (start == 0 || start + (ulong)length < start || devicePointer == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(clientAddress), "range is null or wraps the address space");
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

            Write(ref _ranges[index], start, start + (ulong)length, (long)devicePointer - (long)start);
            if (index == _highWater)
            {
                Volatile.Write(ref _highWater, index + 1);
            }

            _count++;
            return index + 1;
        }
    }

    /// <summary>Withdraws a range shared with <see cref="Share(nint, long)"/>.</summary>
    /// <param name="handle">What Share returned.</param>
    /// <param name="waitForEngines">Also wait until no engine uses the range any more (every queue of the domain has
    /// been seen idle since), so that its memory may be unmapped. Without it a request already running may still
    /// read or write the memory: fine for the client's own memory, whose requests it has reaped.</param>
    public void Unshare(int handle, bool waitForEngines = false)
    {
        if (!waitForEngines)
        {
            RemoveRange(handle);
            return;
        }

        GracePeriod grace = BeginUnshare(handle);
        SpinWait spin = default;
        while (!grace.TryComplete())
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Withdraws a range without waiting; the memory may be unmapped once the returned grace period
    /// completes (<see cref="GracePeriod.TryComplete"/>): every queue of the domain seen idle since.</summary>
    public GracePeriod BeginUnshare(int handle)
    {
        RemoveRange(handle);
        Interlocked.MemoryBarrier(); // the removal is visible before we look at the engines
        HardwareQueue[] queues;
        lock (_lock)
        {
            queues = [.. _queues];
        }

        return new GracePeriod(queues);
    }

    private void RemoveRange(int handle)
    {
        lock (_lock)
        {
            int index = handle - 1;
            if ((uint)index >= (uint)_highWater || _ranges[index].End == 0)
            {
                throw new ArgumentException("not a shared range of this domain", nameof(handle));
            }

            Write(ref _ranges[index], 0, 0, 0);
            _free.Push(index);
            _count--;
        }
    }

    internal void Attach(HardwareQueue queue)
    {
        lock (_lock)
        {
            _queues.Add(queue);
        }
    }

    internal void Detach(HardwareQueue queue)
    {
        lock (_lock)
        {
            _queues.Remove(queue);
        }
    }

    private static void Write(ref Range range, ulong start, ulong end, long offset)
    {
        Volatile.Write(ref range.Version, range.Version + 1);
        Interlocked.MemoryBarrier(); // the odd version is visible before the fields change
        range.Start = start;
        range.End = end;
        range.Offset = offset;
        Volatile.Write(ref range.Version, range.Version + 1);
    }

    /// <summary>Checks that [address, address + length) lies inside one shared range and gives the device's pointer
    /// to it (the same address in-process, the broker's mapping of the region otherwise). A zero-length range is valid
    /// at any address and translates to zero.</summary>
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

        if (IsWholeAddressSpace)
        {
            pointer = (nint)address;
            return true;
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
            long offset = Volatile.Read(ref r.Offset);
            if (s <= address && Volatile.Read(ref r.Version) == version)
            {
                pointer = (nint)(long)(address + (ulong)offset);
                return true;
            }
        }

        return false;
    }
}
