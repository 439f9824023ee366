using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>The device side of one queue: its region, the device ends of both rings, the owner's domain and
/// whatever the device model keeps per queue. Handed to one owner at a time by <see cref="DeviceHost"/>.</summary>
public sealed unsafe class HardwareQueue
{
    private readonly EngineThread _engine;
    private readonly uint _maxStreams;
    private int _busy;
    private bool _stopRequested;

    internal HardwareQueue(DeviceHost host, int id, int depth, uint maxStreams, EngineThread engine)
    {
        Host = host;
        Id = id;
        Depth = depth;
        _maxStreams = maxStreams;
        _engine = engine;
        RegionSize = RingLayout.RegionSize(depth);
        RegionBase = (nint)NativeMemory.AlignedAlloc((nuint)RegionSize, RingLayout.PageSize);
        Region = QueueRegion.Format(RegionBase, depth, (uint)id, maxStreams);
        Sq = new SubmissionConsumer(Region);
        Cq = new CompletionProducer(Region);
    }

    /// <summary>The device this queue belongs to.</summary>
    public DeviceHost Host { get; }

    /// <summary>Queue id within the device.</summary>
    public int Id { get; }

    /// <summary>Ring depth.</summary>
    public int Depth { get; }

    /// <summary>Start of the ring region (mapped by the owner in-process).</summary>
    public nint RegionBase { get; }

    /// <summary>Size of the ring region.</summary>
    public int RegionSize { get; }

    /// <summary>The owner's address space, set while the queue is started.</summary>
    public Domain? Domain { get; private set; }

    internal QueueRegion Region { get; private set; }

    internal SubmissionConsumer Sq { get; private set; }

    internal CompletionProducer Cq { get; private set; }

    internal uint MaxStreams => _maxStreams;

    /// <summary>Device-model state for this queue (ZIP: the stream contexts).</summary>
    internal object? ModelState { get; set; }

    /// <summary>Current status word.</summary>
    public QueueState State => (QueueState)Volatile.Read(ref Region.State);

    /// <summary>Wakes the engine that serves this queue (the doorbell, in-process).</summary>
    public void Ring() => _engine.Wake();

    /// <summary>Lays out a fresh region and starts serving it for <paramref name="domain"/> (uacce START_Q).</summary>
    internal void Start(Domain domain)
    {
        Region = QueueRegion.Format(RegionBase, Depth, (uint)Id, _maxStreams);
        Sq = new SubmissionConsumer(Region);
        Cq = new CompletionProducer(Region);
        Domain = domain;
        StopRequested = false;
        Volatile.Write(ref Region.State, (uint)QueueState.Started);
        // Format zeroed device_waiting: an engine that went to sleep before would not be rung for this queue.
        _engine.Wake();
    }

    /// <summary>Stops serving and waits until the engine has left the queue (uacce PUT_Q).</summary>
    internal void Stop()
    {
        StopRequested = true;
        Volatile.Write(ref Region.State, (uint)QueueState.Released);
        SpinWait spin = default;
        while (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            spin.SpinOnce();
        }

        Host.Model.OnQueueReleased(this);
        Domain = null;
        Volatile.Write(ref _busy, 0);
        WakeClients();
    }

    /// <summary>Disables the queue: the engine stops serving it, the driver sees the status word and stops
    /// submitting, and any client thread asleep on the CQ is woken to notice.</summary>
    /// <remarks>Waits for the engine to finish the request it may be running, so that once a driver sees the
    /// status word no request of the queue is touching the owner's buffers. Never call it from an engine thread.</remarks>
    internal void Disable(uint reason)
    {
        StopRequested = true; // the engine stops taking SQEs after the one it runs
        SpinWait spin = default;
        while (!TryEnter())
        {
            spin.SpinOnce();
        }

        Region.DisableReason = reason;
        Volatile.Write(ref Region.State, (uint)QueueState.Disabled);
        Exit();
        WakeClients();
    }

    /// <summary>Wakes client threads asleep on the CQ so that they look at the status word.</summary>
    private void WakeClients()
    {
        Interlocked.Increment(ref Region.CqWake);
        Futex.Wake(Region.CqWakeAddress);
    }

    /// <summary>Set while the queue is being disabled or released: the engine takes no further SQE from it.
    /// Device-private, unlike the status word, which is published only once the engine has left.</summary>
    internal bool StopRequested
    {
        get => Volatile.Read(ref _stopRequested);
        private set => Volatile.Write(ref _stopRequested, value);
    }

    internal bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    internal void Exit() => Volatile.Write(ref _busy, 0);

    internal void Free() => NativeMemory.AlignedFree((void*)RegionBase);
}
