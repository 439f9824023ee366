using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>The device side of one queue: its region, the device ends of both rings, the owner's domain and
/// whatever the device model keeps per queue. Handed to one owner at a time by <see cref="DeviceHost"/>.</summary>
/// <remarks>HAZARD: in the broker the region is a mapping the broker removes once <see cref="Stop"/> has returned.
/// Workers therefore touch the region only while they hold the queue (<see cref="TryEnter"/>) and see
/// <see cref="IsServing"/>; nothing else may read it after Stop.</remarks>
public sealed unsafe class HardwareQueue
{
    private readonly QueueWorker _worker;
    private readonly uint _maxStreams;
    private readonly nint _ownRegion;
    private int _busy;
    private bool _stopRequested;
    private bool _serving;
    private int _descriptorErrors;
    private int _yieldRequests;
    private bool _disabled; // the device disabled it (private: the status word is the client's to overwrite)
    private bool _inBulk;
    private int _generation;
    private DeviceTenant? _tenant;

    internal HardwareQueue(DeviceHost host, int id, int depth, uint maxStreams, QueueWorker worker, QueueStatsRecord* stats)
    {
        Stats = stats;
        Host = host;
        Id = id;
        Depth = depth;
        _maxStreams = maxStreams;
        _worker = worker;
        RegionSize = RingLayout.RegionSize(depth);
        _ownRegion = (nint)NativeMemory.AlignedAlloc((nuint)RegionSize, RingLayout.PageSize);
        RegionBase = _ownRegion;
        Region = QueueRegion.Format(RegionBase, depth, (uint)id, maxStreams);
        Sq = new SubmissionConsumer(Region);
        Cq = new CompletionProducer(Region);
    }

    /// <summary>The device this queue belongs to.</summary>
    public DeviceHost Host { get; }

    /// <summary>The worker that serves this queue.</summary>
    internal QueueWorker Worker => _worker;

    /// <summary>Queue id within the device.</summary>
    public int Id { get; }

    /// <summary>Ring depth.</summary>
    public int Depth { get; }

    /// <summary>Start of the ring region: the queue's own memory (in-process), or the mapping the broker supplied
    /// when it started the queue.</summary>
    public nint RegionBase { get; private set; }

    /// <summary>Size of the ring region.</summary>
    public int RegionSize { get; }

    /// <summary>The owner's address space, set while the queue is started.</summary>
    public Domain? Domain { get; private set; }

    internal QueueRegion Region { get; private set; }

    internal SubmissionConsumer Sq { get; private set; }

    internal CompletionProducer Cq { get; private set; }

    internal uint MaxStreams => _maxStreams;

    /// <summary>The queue's counters (in the device's stats file when it publishes one): the engine that serves the
    /// queue is their one writer on the request path; <see cref="Start"/> and the stop and disable paths write the
    /// state and the owner.</summary>
    internal QueueStatsRecord* Stats { get; }

    /// <summary>The owner as the engines share their time (set while the queue is started).</summary>
    public DeviceTenant Tenant => _tenant ?? throw new InvalidOperationException("queue not started");

    internal DeviceTenant? TenantOrNull => Volatile.Read(ref _tenant);

    /// <summary>Counts the starts of this queue: the bulk lane drops a request it holds for an earlier owner.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>Set while the bulk lane holds the queue's next request (<see cref="BulkSqe"/>): the engine skips the
    /// queue until the lane has run it, so the queue's order is kept. Read without holding the queue.</summary>
    internal bool InBulk
    {
        get => Volatile.Read(ref _inBulk);
        set => Volatile.Write(ref _inBulk, value);
    }

    /// <summary>How the queue's engine listens to its doorbell (engine-owned).</summary>
    internal DoorbellGuard Bell;

    /// <summary>The request the bulk lane runs for this queue (valid while <see cref="InBulk"/>).</summary>
    internal Sqe BulkSqe;

    /// <summary>Device-model state for this queue (ZIP: the stream contexts).</summary>
    internal object? ModelState { get; set; }

    /// <summary>Current status word. Valid only while the queue is allocated (its region is mapped).</summary>
    public QueueState State => (QueueState)Volatile.Read(ref Region.State);

    /// <summary>Invalid descriptors (BAD_REQUEST, ADDRESS_FAULT) since the queue was started. Device-private: the
    /// region's <c>error_count</c> is the client's copy.</summary>
    public int DescriptorErrors => Volatile.Read(ref _descriptorErrors);

    /// <summary>Whether the engine serves the queue: started, and neither disabled nor being released. Read it only
    /// while holding the queue.</summary>
    internal bool IsServing => Volatile.Read(ref _serving) && !StopRequested;

    /// <summary>Lays out a fresh region and starts serving it for <paramref name="domain"/> (uacce START_Q).</summary>
    /// <param name="domain">The owner's address space.</param>
    /// <param name="regionBase">Where the region is mapped in this process (the broker's memfd), or 0 for the queue's
    /// own memory. It must stay mapped until <see cref="Stop"/> returns.</param>
    internal void Start(Domain domain, nint regionBase, DeviceTenant tenant)
    {
        Interlocked.Increment(ref _generation);
        InBulk = false;
        Bell = default;
        Volatile.Write(ref _tenant, tenant);
        RegionBase = regionBase == 0 ? _ownRegion : regionBase;
        Region = QueueRegion.Format(RegionBase, Depth, (uint)Id, _maxStreams);
        Sq = new SubmissionConsumer(Region);
        Cq = new CompletionProducer(Region);
        Domain = domain;
        domain.Attach(this);
        _descriptorErrors = 0;
        Volatile.Write(ref _disabled, false);
        StopRequested = false;
        // The owner: the client process of a broker domain, this process for an in-process one.
        Volatile.Write(ref Stats->OwnerPid, domain.RemoteProcessId != 0 ? domain.RemoteProcessId : Environment.ProcessId);
        Volatile.Write(ref Stats->OwnerUid, tenant.Uid);
        Volatile.Write(ref Stats->Weight, (uint)tenant.Weight);
        Volatile.Write(ref Stats->MaxSharePercent, (uint)tenant.MaxSharePercent);
        Volatile.Write(ref Stats->State, (uint)QueueStatsState.Started);
        Volatile.Write(ref Region.State, (uint)QueueState.Started);
        Volatile.Write(ref _serving, true);
        // Format zeroed device_waiting: an engine that went to sleep before would not be rung for this queue.
        _worker.Wake();
    }

    /// <summary>Stops serving and waits until the engine has left the queue (uacce PUT_Q). When it returns, no
    /// device thread touches the region again until the next <see cref="Start"/>.</summary>
    internal void Stop()
    {
        BeginStop();
        SpinWait spin = default;
        while (!TryCompleteStop())
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>First half of <see cref="Stop"/>, which never blocks: the engine takes no further SQE (it finishes the
    /// one it runs) and the driver sees the queue released.</summary>
    internal void BeginStop()
    {
        StopRequested = true;
        // A disabled queue keeps saying why (a broker that exits disables every queue, then releases them): the
        // owner still maps the ring and should read "disabled: broker exit", not a bare "released".
        if (!Volatile.Read(ref _disabled))
        {
            Volatile.Write(ref Stats->State, (uint)QueueStatsState.Releasing);
            Volatile.Write(ref Region.State, (uint)QueueState.Released);
        }
    }

    /// <summary>Second half of <see cref="Stop"/>: if the engine is not inside the queue, finishes the stop and returns
    /// true; otherwise returns false at once (try again later).</summary>
    internal bool TryCompleteStop()
    {
        if (!TryEnter())
        {
            return false;
        }

        try
        {
            Volatile.Write(ref _serving, false);
            InBulk = false; // a request the bulk lane still lists is dropped there (Generation)
            Host.Model.OnQueueReleased(this);
            Domain?.Detach(this);
            Domain = null;
            Volatile.Write(ref Stats->State, (uint)QueueStatsState.Free);
            Volatile.Write(ref Stats->OwnerPid, 0);
            Volatile.Write(ref Stats->OwnerUid, 0);
            Volatile.Write(ref Stats->Weight, 0);
            Volatile.Write(ref Stats->MaxSharePercent, 0);
            WakeClients();
        }
        finally
        {
            Exit();
        }

        return true;
    }

    /// <summary>Disables the queue: the engine stops serving it, the driver sees the status word and stops
    /// submitting, and any client thread asleep on the CQ is woken to notice.</summary>
    /// <remarks>Waits for the engine to finish the request it may be running, so that once a driver sees the
    /// status word no request of the queue is touching the owner's buffers. Never call it from a worker.</remarks>
    internal void Disable(QueueDisableReason reason)
    {
        StopRequested = true; // the engine stops taking SQEs after the one it runs
        Enter();
        try
        {
            DisableHeld(reason);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Disables the queue from the engine that holds it.</summary>
    internal void DisableHeld(QueueDisableReason reason)
    {
        bool wasServing = IsServing;
        StopRequested = true;
        Volatile.Write(ref _disabled, true);
        Volatile.Write(ref Stats->State, (uint)QueueStatsState.Disabled);
        Region.DisableReason = (uint)reason;
        Volatile.Write(ref Region.State, (uint)QueueState.Disabled);
        WakeClients();
        if (wasServing)
        {
            Host.OnQueueDisabled(this, reason);
        }
    }

    /// <summary>Counts an invalid descriptor; true when the queue has now passed the device's threshold.</summary>
    internal bool CountDescriptorError()
    {
        int threshold = Host.Options.QueueErrorThreshold;
        return Interlocked.Increment(ref _descriptorErrors) >= threshold && threshold > 0;
    }

    /// <summary>Whether the engine is outside the queue now (a grace period for <see cref="Domain"/>; the waiter has
    /// called <see cref="RequestYield"/>, so the engine leaves after the request it runs, not after a batch).</summary>
    internal bool TryPassIdle()
    {
        if (TryEnter())
        {
            Exit();
            return true;
        }

        return false;
    }

    /// <summary>Asks the engine to take no new request from the queue (it finishes the one it runs) while a grace
    /// period waits for it; <see cref="EndYield"/> lets it serve again.</summary>
    internal void RequestYield() => Interlocked.Increment(ref _yieldRequests);

    /// <summary>Withdraws a <see cref="RequestYield"/>.</summary>
    internal void EndYield() => Interlocked.Decrement(ref _yieldRequests);

    /// <summary>Set while something waits for the engine to leave the queue.</summary>
    internal bool YieldRequested => Volatile.Read(ref _yieldRequests) != 0;

    /// <summary>Wakes client threads asleep on the CQ so that they look at the status word.</summary>
    private void WakeClients()
    {
        Interlocked.Increment(ref Region.CqWake);
        Futex.Wake(Region.CqWakeAddress);
    }

    /// <summary>Set while the queue is being disabled or released: the engine takes no further SQE from it.
    /// Device-private, unlike the status word, which the client can overwrite.</summary>
    internal bool StopRequested
    {
        get => Volatile.Read(ref _stopRequested);
        private set => Volatile.Write(ref _stopRequested, value);
    }

    internal bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    internal void Exit() => Volatile.Write(ref _busy, 0);

    private void Enter()
    {
        SpinWait spin = default;
        while (!TryEnter())
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    internal void Free() => NativeMemory.AlignedFree((void*)_ownRegion);
}
