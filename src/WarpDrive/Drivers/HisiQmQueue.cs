using System.Runtime.CompilerServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Drivers;

/// <summary>One hardware queue of a HiSilicon QM device (UADK's <c>hisi_qp</c>): its queue file, the SQ and CQ in the
/// DUS region, the doorbell in the MMIO region, and the two status words. Knows nothing of what the SQEs mean.</summary>
/// <remarks>One thread submits and one reaps at a time (the context's locks).</remarks>
internal sealed unsafe class HisiQmQueue
{
    private readonly IUacceQueueFile _file;
    private readonly byte* _sq;
    private readonly HisiQmCqe* _cq;
    private readonly uint* _txStatus;
    private readonly uint* _rxStatus;
    private static readonly TimeSpan s_maxPollSlice = TimeSpan.FromMilliseconds(10);
    private int _sqTail;
    private int _cqHead;
    private int _reapedSincePoll;
    private bool _phase = true; // the first lap's CQEs carry phase 1
    private int _inFlight;

    private HisiQmQueue(IUacceQueueFile file, ushort id, int sqeSize, int sqDepth, int cqDepth, nint dus, long dusSize)
    {
        _file = file;
        Id = id;
        SqeSize = sqeSize;
        Depth = sqDepth;
        CqDepth = cqDepth;
        _sq = (byte*)dus;
        _cq = (HisiQmCqe*)(dus + (nint)HisiQmDus.CqOffset(sqeSize, sqDepth));
        _txStatus = (uint*)(dus + (nint)HisiQmDus.TxStatusOffset(dusSize));
        _rxStatus = (uint*)(dus + (nint)HisiQmDus.RxStatusOffset(dusSize));
    }

    /// <summary>Sets the queue up as UADK's <c>hisi_qm_alloc_ctx</c> does: SET_QP_CTX with <paramref name="qcType"/>,
    /// SET_QP_INFO for the SQE size and depths (the defaults where the kernel does not know it), both regions mapped
    /// at the sizes the device announces, then START_Q.</summary>
    /// <exception cref="WdException">The device refused a step, or its regions cannot hold the queue.</exception>
    public static HisiQmQueue Start(IUacceQueueFile file, WdDeviceInfo device, ushort qcType, int expectedSqeSize)
    {
        var context = new HisiQpContext { QcType = qcType };
        Check(file, file.Ioctl(UacceIoctl.QmSetQpContext, &context), "UACCE_CMD_QM_SET_QP_CTX");

        // Kernels before this request answer EINVAL (hisi_qm's and uacce's default), some ENOTTY: their queues have
        // the fixed SQE size and depth.
        var info = default(HisiQpInfo);
        int sqeSize = expectedSqeSize, sqDepth = HisiQmDus.DefaultDepth, cqDepth = HisiQmDus.DefaultDepth;
        if (file.Ioctl(UacceIoctl.QmSetQpInfo, &info) == 0)
        {
            sqeSize = (int)info.SqeSize;
            sqDepth = info.SqDepth;
            cqDepth = info.CqDepth;
        }

        if (sqeSize != expectedSqeSize || Math.Min(sqDepth, cqDepth) < 2)
        {
            throw new WdException($"{file.Path}: the queue has {sqeSize}-byte SQEs, SQ depth {sqDepth} and CQ depth {cqDepth}; this driver needs {expectedSqeSize}-byte SQEs and depths of 2 or more");
        }

        long mmioSize = RegionSize(device, DeviceAttributeNames.RegionMmioSize);
        long dusSize = RegionSize(device, DeviceAttributeNames.RegionDusSize);
        long needed = HisiQmDus.CqOffset(sqeSize, sqDepth) + ((long)HisiQmCqe.Size * cqDepth) + (2 * sizeof(uint));
        if (mmioSize < HisiQmDoorbell.OffsetV2 + sizeof(ulong) || dusSize < needed)
        {
            throw new WdException($"{file.Path}: region_mmio_size {mmioSize} and region_dus_size {dusSize} cannot hold a queue of depths {sqDepth} and {cqDepth} (needs {HisiQmDoorbell.OffsetV2 + sizeof(ulong)} and {needed})");
        }

        nint dus;
        try
        {
            _ = file.Map(UacceRegion.Mmio, mmioSize);
            dus = file.Map(UacceRegion.Dus, dusSize);
        }
        catch (IOException e)
        {
            throw new WdException($"{file.Path}: cannot map the queue's regions: {e.Message}", e);
        }

        Check(file, file.Ioctl(UacceIoctl.StartQueue, null), "UACCE_CMD_START_Q");
        return new HisiQmQueue(file, context.Id, sqeSize, sqDepth, cqDepth, dus, dusSize);
    }

    private static long RegionSize(WdDeviceInfo device, string attribute) =>
        long.TryParse(device.Attributes.GetValueOrDefault(attribute), out long size) && size > 0
            ? size
            : throw new WdException($"{device.Name}: {attribute} is missing or not a size");

    private static void Check(IUacceQueueFile file, int errno, string request)
    {
        if (errno != 0)
        {
            throw new WdException($"{request} on {file.Path} failed: {Platform.PlatformException.Describe(errno)}");
        }
    }

    /// <summary>The queue pair's id (the doorbell's queue number).</summary>
    public ushort Id { get; }

    /// <summary>Bytes per SQE.</summary>
    public int SqeSize { get; }

    /// <summary>SQ depth.</summary>
    public int Depth { get; }

    /// <summary>CQ depth.</summary>
    public int CqDepth { get; }

    /// <summary>Times the CQ head wrapped (and the expected phase flipped).</summary>
    public int Laps { get; private set; }

    /// <summary>Requests submitted and not yet reaped.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Whether the queue can take another request: one slot always stays empty (UADK's depth − 1).</summary>
    public bool HasRoom => Volatile.Read(ref _inFlight) < Math.Min(Depth, CqDepth) - 1;

    /// <summary>The slot the next <see cref="Enqueue"/> writes.</summary>
    public int NextSlot => _sqTail;

    /// <summary>Whether the kernel stopped the queue or its device (either status word is set).</summary>
    public bool IsStopped => MemoryOrder.LoadAcquire(ref *_txStatus) == HisiQmDus.Stopped || MemoryOrder.LoadAcquire(ref *_rxStatus) == HisiQmDus.Stopped;

    /// <summary>The SQE in slot <paramref name="index"/> (the device writes its results there).</summary>
    public ref T Slot<T>(int index) where T : unmanaged => ref Unsafe.AsRef<T>(_sq + ((nint)index * SqeSize));

    /// <summary>Writes <paramref name="sqe"/> at the SQ tail; the device sees it at the next <see cref="RingSq"/>.</summary>
    /// <returns>The slot it went to.</returns>
    public int Enqueue<T>(in T sqe) where T : unmanaged
    {
        int slot = _sqTail;
        Slot<T>(slot) = sqe;
        _sqTail = slot + 1 == Depth ? 0 : slot + 1;
        Interlocked.Increment(ref _inFlight); // the reaper decrements it on another thread
        return slot;
    }

    /// <summary>Tells the device the SQ tail, unless the kernel stopped the queue (<c>ds_tx</c>).</summary>
    /// <returns>false when the queue is stopped.</returns>
    public bool RingSq()
    {
        // Acquire: the kernel's status word is read afresh before each doorbell, never from an earlier load.
        if (MemoryOrder.LoadAcquire(ref *_txStatus) == HisiQmDus.Stopped)
        {
            return false;
        }

        // The queue file's store is preceded by MemoryOrder.DoorbellFence: the SQEs written above reach memory first.
        _file.WriteMmio64(HisiQmDoorbell.OffsetV2, HisiQmDoorbell.EncodeV2(Id, HisiQmDoorbell.CommandSq, (ushort)_sqTail, 0));
        return true;
    }

    /// <summary>The SQ slot of the next completion, if the device has posted one (its phase is the current lap's).</summary>
    public bool TryPeek(out int slot)
    {
        ref HisiQmCqe cqe = ref _cq[_cqHead];
        // Acquire: the phase word is written last; the rest of the CQE, and the results the device wrote into the SQE,
        // are read after it and so are never older than it (arm64 may otherwise satisfy those loads first).
        if (((MemoryOrder.LoadAcquire(ref cqe.W7) & HisiQmCqe.PhaseBit) != 0) != _phase)
        {
            slot = -1;
            return false;
        }

        slot = cqe.SqHead;
        return true;
    }

    /// <summary>The SQ slot of the next completion, if the device has posted one for a slot that holds a request of
    /// <paramref name="pending"/> (the driver's record per slot). A CQE naming a slot with nothing in it means the
    /// device is broken: the entry is given back (no request left the SQ), counted in <paramref name="errors"/>, and
    /// this answers false.</summary>
    public bool TryPeekPending<T>(T[] pending, ref uint errors, out int slot)
        where T : struct, IHisiQmPending
    {
        if (!TryPeek(out slot))
        {
            return false;
        }

        if ((uint)slot >= (uint)pending.Length || !pending[slot].Active)
        {
            Advance(ofRequest: false);
            Interlocked.Increment(ref errors);
            return false;
        }

        return true;
    }

    /// <summary>Gives the completion at the CQ head back to the device: the next lap flips the phase, and the CQ
    /// doorbell tells the device the new head (unless the kernel stopped the queue: <c>ds_rx</c>).</summary>
    /// <param name="ofRequest">false for an entry that named no request of ours: nothing leaves the SQ.</param>
    public void Advance(bool ofRequest = true)
    {
        if (++_cqHead == CqDepth)
        {
            _cqHead = 0;
            _phase = !_phase;
            Laps++;
        }

        if (ofRequest)
        {
            Interlocked.Decrement(ref _inFlight);
        }

        // The CQ doorbell hands the entry back: DoorbellFence (in WriteMmio64) keeps the reads of it before the store.
        if (MemoryOrder.LoadAcquire(ref *_rxStatus) != HisiQmDus.Stopped)
        {
            _file.WriteMmio64(HisiQmDoorbell.OffsetV2, HisiQmDoorbell.EncodeV2(Id, HisiQmDoorbell.CommandCq, (ushort)_cqHead, 0));
        }

        // Hazard: the kernel's poll() keeps a CQ head and phase of its own, which it moves only inside poll(); reaped
        // past it by a lap, its phase never matches again and poll() sleeps out its timeout. A look (no wait) every
        // half lap keeps it in step.
        if (++_reapedSincePoll >= CqDepth / 2)
        {
            _reapedSincePoll = 0;
            _file.WaitReadable(TimeSpan.Zero);
        }
    }

    /// <summary>Waits for the device to post a completion (<c>poll()</c> on the queue file), in slices of at most 10 ms
    /// so that a release never waits long for a sleeper.</summary>
    public void Wait(TimeSpan maxSleep)
    {
        _reapedSincePoll = 0;
        _file.WaitReadable(maxSleep < s_maxPollSlice && maxSleep >= TimeSpan.Zero ? maxSleep : s_maxPollSlice);
    }
}
