using WarpDrive.Queues;

namespace WarpDrive.Discovery;

/// <summary>How a driver reaches one queue: where its ring region is mapped (the doorbell is a word in it),
/// how to make memory visible to the device (the domain), and how to give the queue back.</summary>
internal abstract class QueueTransport : IDisposable
{
    /// <summary>The device the queue belongs to.</summary>
    public abstract WdDeviceInfo Device { get; }

    /// <summary>The driver that speaks the device's <c>api</c> on this queue: <c>wd_ring_v1</c> on the ring at
    /// <see cref="RegionBase"/> unless the transport knows better.</summary>
    /// <exception cref="WdException">The region is not a valid ring.</exception>
    public virtual QueueDriver CreateDriver() =>
        RingQueueDriver.TryOpen(RegionBase, RegionSize, out RingQueueDriver? driver, out string? error)
            ? driver
            : throw new WdException($"cannot open queue on {Device.Name}: {error}");

    /// <summary>Start of the ring region in this process.</summary>
    public abstract nint RegionBase { get; }

    /// <summary>Size of the mapping.</summary>
    public abstract int RegionSize { get; }

    /// <summary>Whether a request's buffers must be shared (<see cref="Share"/>) for the device to reach them: false
    /// where the device sees the whole address space anyway (SVA hardware, the broker, which copies from an SVA
    /// client or serves SHARE regions, Mix mode's inline devices), so requests skip sharing altogether.</summary>
    public virtual bool NeedsShares => true;

    /// <summary>Whether the device reads this process's memory directly, at the process's own addresses and in place
    /// (a model in this process; SVA hardware behind the IOMMU), so device-visible memory from
    /// <see cref="ReserveMemory"/> would gain it nothing. False where memory outside the provider's regions reaches
    /// the device only through a copy per request (the broker's process_vm_readv for an SVA client): there a buffer
    /// every request names is better reserved as a shared region.</summary>
    public virtual bool ReadsClientMemoryDirectly => false;

    /// <summary>Makes [address, address+length) visible to the device; returns a handle.</summary>
    public abstract int Share(nint address, long length);

    /// <summary>Withdraws a shared range.</summary>
    public abstract void Unshare(int handle);

    /// <summary>Device-visible memory from the provider this queue belongs to.</summary>
    public abstract WdSharedMemory ReserveMemory(int length);

    /// <summary>Whether the device's owner is gone without a word (a broker killed with SIGKILL): nothing will ever
    /// serve the queue or update its status word. One system call; the driver asks only when a wait drags on.</summary>
    public virtual bool IsLost => false;

    /// <summary>Whether the device's owner is known to be gone (a watcher saw the broker exit): cheap, read on every
    /// status check.</summary>
    public virtual bool IsGone => false;

    /// <summary>Whether the queue has no engine of its own: the submitter serves it with <see cref="ServeInline"/>.</summary>
    public virtual bool ServesInline => false;

    /// <summary>Runs what is waiting in the queue on the calling thread (an inline device).</summary>
    public virtual void ServeInline() => throw new NotSupportedException("the device has engines of its own");

    /// <summary>Releases the queue (uacce PUT_Q + close).</summary>
    public abstract void Dispose();
}
