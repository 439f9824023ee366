using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Discovery;

/// <summary>A queue on a broker device: the connection that holds it and this process's mapping of its ring region.
/// The broker reaches the process's memory itself (SVA: it copies in and out) or through regions it made
/// (<see cref="WdRuntime.ReserveMemory"/>), so sharing a buffer needs no call here.</summary>
internal sealed class BrokerQueueTransport(BrokerDevices provider, BrokerConnection connection, SharedMemoryRegion ring, WdDeviceInfo device,
    BrokerWatch? watch) : QueueTransport
{
    private int _released;

    public override WdDeviceInfo Device { get; } = device;

    public override nint RegionBase => ring.Address;

    public override int RegionSize => (int)ring.Length;

    public override bool NeedsShares => false;

    public override int Share(nint address, long length) => 0;

    public override void Unshare(int handle)
    {
    }

    public override WdSharedMemory ReserveMemory(int length) => provider.ReserveMemory(length);

    public override bool IsLost => Volatile.Read(ref _released) == 0 && (IsGone || connection.IsClosed);

    public override bool IsGone => watch?.IsLost == true;

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            try
            {
                // PUT_Q answers once the engine has left the queue: after it, no request of ours touches our buffers,
                // so the caller may unpin them. Closing alone would return before the broker even noticed.
                connection.Call(new BrokerRequest { Op = BrokerOp.PutQueue }, out _, out _);
            }
            catch (WdException)
            {
                // The broker is gone: nothing serves the queue any more.
            }
            finally
            {
                connection.Dispose();
                ring.Dispose();
            }
        }
    }
}
