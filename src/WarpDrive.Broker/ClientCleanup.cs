using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>Cleanup: closes connections (EOF, hang-up, a failure while serving one, the broker stopping), ends
/// every connection of a client whose pidfd says it died, and releases queues: the engine is told to stop at once,
/// and <see cref="CompleteReleases"/> finishes once it has left the queue (unmaps the ring, returns the accounting,
/// republishes <c>available_instances</c>, replies to PUT_Q and hands the queue to a waiter). A process's last
/// connection takes its regions, its domain and its pidfd watch with it.</summary>
internal sealed class ClientCleanup(ClientTable clients, Epoll epoll, BrokerAccounting accounting, RegionService regions,
    QueueService queues, AttributePublisher attributes, ClientLog clientLog, IClientLink link)
{
    private readonly List<PendingRelease> _releases = [];

    /// <summary>Releases in flight: the loop polls every millisecond while there are.</summary>
    public bool HasPending => _releases.Count > 0;

    /// <summary>The pidfd of <paramref name="pid"/> is readable: the client died; its connections go.</summary>
    public void ProcessExited(int pid)
    {
        if (clients.Processes.TryGetValue(pid, out ClientProcess? process))
        {
            clientLog.ClientExited(process.User.Uid, process.Pid, process.Connections.Count);
            foreach (ClientConnection c in process.Connections.ToArray())
            {
                Close(c);
            }
        }
    }

    public void Close(ClientConnection c)
    {
        if (c.Closed)
        {
            return;
        }

        c.Closed = true;
        epoll.Remove(c.Socket.Handle);
        clients.Connections.Remove(c.Id);
        c.Device.Waiters.Leave(c);
        ReleaseQueue(c);
        c.Socket.Dispose();
        ClientProcess process = c.Process;
        process.Connections.Remove(c);
        BrokerAccounting.CloseConnection(process.User);
        if (process.Connections.Count == 0)
        {
            ForgetProcess(process);
        }
    }

    /// <summary>Starts releasing the connection's queue; <see cref="CompleteReleases"/> finishes once the engine has
    /// left it. With <paramref name="replyWhenDone"/> (PUT_Q) the reply says the engine has left the queue.</summary>
    public void ReleaseQueue(ClientConnection c, bool replyWhenDone = false)
    {
        if (c.Queue is { } queue)
        {
            c.Device.Host.BeginRelease(queue);
            _releases.Add(new PendingRelease(c, queue, c.Ring!, replyWhenDone));
            c.Queue = null;
            c.Ring = null;
        }
    }

    /// <summary>Finishes the releases whose engines have moved on.</summary>
    public void CompleteReleases()
    {
        for (int i = 0; i < _releases.Count; i++)
        {
            PendingRelease r = _releases[i];
            BrokerDevice device = r.Connection.Device;
            if (!device.Host.TryCompleteRelease(r.Queue))
            {
                continue;
            }

            _releases.RemoveAt(i--);
            r.Ring.Dispose(); // no device thread touches the ring any more
            accounting.UnchargeQueue(device.Quota, r.Connection.Process.User);
            attributes.MarkDirty();
            if (r.Reply && !r.Connection.Closed)
            {
                link.TryReply(r.Connection, new BrokerResponse { Op = BrokerOp.PutQueue });
            }

            queues.HandToWaiter(device);
        }
    }

    /// <summary>The domain lives as long as the process has a connection: its regions go with the last one.</summary>
    private void ForgetProcess(ClientProcess process)
    {
        regions.FreeAll(process);
        epoll.Remove(process.Pidfd);
        process.Dispose();
        clients.Processes.Remove(process.Pid);
        accounting.CloseProcess(process.User);
    }
}
