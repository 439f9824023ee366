namespace WarpDrive.Discovery;

/// <summary>How a driver reaches one queue: where its ring region is mapped (the doorbell is a word in it),
/// how to make memory visible to the device (the domain), and how to give the queue back.</summary>
internal abstract class QueueTransport : IDisposable
{
    /// <summary>The device the queue belongs to.</summary>
    public abstract WdDeviceInfo Device { get; }

    /// <summary>Start of the ring region in this process.</summary>
    public abstract nint RegionBase { get; }

    /// <summary>Size of the mapping.</summary>
    public abstract int RegionSize { get; }

    /// <summary>Makes [address, address+length) visible to the device; returns a handle.</summary>
    public abstract int Share(nint address, long length);

    /// <summary>Withdraws a shared range.</summary>
    public abstract void Unshare(int handle);

    /// <summary>Device-visible memory from the provider this queue belongs to.</summary>
    public abstract WdSharedMemory ReserveMemory(int length);

    /// <summary>Releases the queue (uacce PUT_Q + close).</summary>
    public abstract void Dispose();
}
