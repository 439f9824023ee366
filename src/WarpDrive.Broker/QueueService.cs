using WarpDrive.Abi.Broker;
using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>START_Q and the wait lines: starts a queue on a fresh ring region when the caps allow it, puts a
/// <c>WAIT</c> caller that gets none into its device's <see cref="WaitLine{T}"/>, hands a released queue to the
/// first waiter that may take it, and tells the waiters of an isolated device that none will come. Who may take a
/// queue is <see cref="BrokerAccounting"/>'s and <see cref="DeviceQuota"/>'s answer.</summary>
internal sealed class QueueService
{
    private readonly BrokerAccounting _accounting;
    private readonly IClientLink _link;
    private readonly ClientLog _clientLog;
    private readonly AttributePublisher _attributes;
    private readonly AllocationTable _allocations;
    private readonly Func<ClientConnection, WaiterVerdict> _offer;

    public QueueService(BrokerAccounting accounting, AllocationTable allocations, IClientLink link, ClientLog clientLog, AttributePublisher attributes)
    {
        _accounting = accounting;
        _allocations = allocations;
        _link = link;
        _clientLog = clientLog;
        _attributes = attributes;
        _offer = Offer;
    }

    /// <summary>The broker is stopping: released queues go to nobody.</summary>
    public bool Stopping { get; set; }

    /// <summary>START_Q on <paramref name="c"/>.</summary>
    /// <exception cref="IOException">The client does not take the reply.</exception>
    public void Start(ClientConnection c, bool wait)
    {
        var response = new BrokerResponse { Op = BrokerOp.StartQueue };
        DeviceHost host = c.Device.Host;
        if (c.Queue is not null || c.Device.Waiters.Contains(c))
        {
            _link.Reply(c, response with { Status = BrokerStatus.AlreadyStarted }, "this connection already has a queue (one connection, one queue)");
        }
        else if (host.IsIsolated)
        {
            _link.Reply(c, response with { Status = BrokerStatus.Isolated }, $"{host.Name} is isolated after {host.FaultCount} device faults");
        }
        else if (_accounting.QueueRefusal(c.Process.User) is { } refusal)
        {
            _link.Reply(c, response with { Status = refusal.Status }, refusal.Message);
        }
        else if (_allocations.QueueRefusal(c) is { } denied)
        {
            if (denied.Status == BrokerStatus.NoQueue)
            {
                WaitOrRefuse(c, wait, denied.Message); // its allocation holds its limit of this device's queues
            }
            else
            {
                _link.Reply(c, response with { Status = denied.Status }, denied.Message);
            }
        }
        else if (c.Device.Quota.ReserveRefusal(c.Process.User) is { } reserved)
        {
            // Free queues there are, but not for this user: to the client it is NO_QUEUE (libwd moves on or waits).
            WaitOrRefuse(c, wait, reserved.Message);
        }
        else if (!TryStart(c))
        {
            WaitOrRefuse(c, wait, $"{host.Name} has no free queue (available_instances is 0)");
        }
    }

    /// <summary>Gives a freed queue of <paramref name="device"/> to the first caller still waiting for one that may
    /// take it (FIFO; a caller held back by <c>reserved_queues</c> keeps its place for a later release).</summary>
    public void HandToWaiter(BrokerDevice device)
    {
        if (!Stopping)
        {
            device.Waiters.Serve(_offer);
        }
    }

    /// <summary>Tells every caller waiting for a queue of an isolated device that none will come.</summary>
    public void FailWaiters(BrokerDevice device) =>
        device.Waiters.Drain(waiter =>
        {
            if (!waiter.Closed)
            {
                _link.TryReply(waiter, new BrokerResponse { Op = BrokerOp.StartQueue, Status = BrokerStatus.Isolated }, $"{device.Name} is isolated");
            }
        });

    private void WaitOrRefuse(ClientConnection c, bool wait, string refusal)
    {
        if (wait)
        {
            c.Device.Waiters.Join(c);
        }
        else
        {
            _link.Reply(c, new BrokerResponse { Op = BrokerOp.StartQueue, Status = BrokerStatus.NoQueue }, refusal);
        }
    }

    /// <summary>Offers a freed queue to one waiter of its device.</summary>
    private WaiterVerdict Offer(ClientConnection waiter)
    {
        if (waiter.Closed)
        {
            return WaiterVerdict.Leave;
        }

        if (_accounting.QueueRefusal(waiter.Process.User) is { } refusal)
        {
            // It qualified when it joined the line; its user has taken queues since.
            _link.TryReply(waiter, new BrokerResponse { Op = BrokerOp.StartQueue, Status = refusal.Status }, refusal.Message);
            return WaiterVerdict.Leave;
        }

        if (_allocations.QueueRefusal(waiter) is { } denied)
        {
            if (denied.Status == BrokerStatus.NoQueue)
            {
                return WaiterVerdict.Skip; // its allocation holds its limit: it keeps its place
            }

            _link.TryReply(waiter, new BrokerResponse { Op = BrokerOp.StartQueue, Status = denied.Status }, denied.Message);
            return WaiterVerdict.Leave;
        }

        if (waiter.Device.Quota.ReserveRefusal(waiter.Process.User) is not null)
        {
            return WaiterVerdict.Skip;
        }

        try
        {
            return TryStart(waiter) ? WaiterVerdict.Served : WaiterVerdict.Stop; // none free after all: it keeps its place
        }
        catch (IOException e)
        {
            _clientLog.HandOverFailed(waiter.Process.User.Uid, waiter.Process.Pid, e.Message);
            _link.Close(waiter); // takes it out of the line
            return WaiterVerdict.Leave;
        }
    }

    /// <summary>Allocates a queue on a fresh ring region and sends it; false when the device has none free.</summary>
    private bool TryStart(ClientConnection c)
    {
        DeviceHost host = c.Device.Host;
        // A fresh memfd per START_Q: a previous owner that kept its mapping after close can reach only its own old ring.
        SharedMemoryRegion ring = SharedMemoryRegion.Create($"wd-{host.Name}-ring", host.RegionSize);
        HardwareQueue? queue;
        try
        {
            uint uid = c.Process.User.Uid;
            (int weight, int maxShare) = _accounting.TenantShare(uid);
            _ = host.TryAllocateQueue(c.Process.Domain, ring.Address, host.GetTenant(uid, weight, maxShare), out queue);
        }
        catch
        {
            ring.Dispose();
            throw;
        }

        if (queue is null)
        {
            ring.Dispose();
            return false;
        }

        c.Queue = queue;
        c.Ring = ring;
        BrokerAccounting.ChargeQueue(c.Device.Quota, c.Process.User);
        AllocationTable.Charge(c);
        _attributes.MarkDirty();
        var response = new BrokerResponse
        {
            Op = BrokerOp.StartQueue,
            Value0 = (ulong)queue.Id,
            Value1 = (ulong)ring.Length,
            Value2 = (ulong)queue.Depth,
        };
        _link.Reply(c, response, null, ring.Handle);
        ring.CloseHandle(); // the mapping stays; the broker needs no fd per queue
        return true;
    }
}
