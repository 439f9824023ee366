using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>Cleanup: closes connections (EOF, hang-up, a failure while serving one, the broker stopping), ends
/// every connection of a client whose pidfd says it died, and releases queues: the engine is told to stop at once,
/// and <see cref="CompleteReleases"/> finishes once it has left the queue (unmaps the ring, returns the accounting,
/// republishes <c>available_instances</c>, replies to PUT_Q and hands the queue to a waiter). A process's last
/// connection takes its regions and its domain with it; its pidfd stays watched a moment longer
/// (<see cref="ExitGraceMilliseconds"/>), so that the log says whether it exited or closed its connections and lives on
/// (a dying process's sockets close before its pidfd turns readable).</summary>
internal sealed class ClientCleanup(ClientTable clients, Epoll epoll, BrokerAccounting accounting, AllocationTable allocations, RegionService regions,
    QueueService queues, AttributePublisher attributes, ClientLog clientLog, IClientLink link)
{
    /// <summary>How long a process that closed its last connection is watched for its exit before the log says it
    /// lives on.</summary>
    public const long ExitGraceMilliseconds = 100;

    private readonly List<PendingRelease> _releases = [];

    /// <summary>Processes that closed their last connection, by pid, still watched for their exit until the deadline.</summary>
    private readonly Dictionary<int, (ClientProcess Process, long Deadline)> _departing = [];

    /// <summary>Releases or departures in flight: the loop polls every millisecond while there are.</summary>
    public bool HasPending => _releases.Count > 0 || _departing.Count > 0;

    /// <summary>A pidfd watched under <paramref name="pid"/> is readable: that client died; its connections go. (A
    /// departed process and a later one with its pid may both be watched: each pidfd is asked.)</summary>
    public void ProcessExited(int pid)
    {
        if (_departing.TryGetValue(pid, out var departed) && Pidfd.HasExited(departed.Process.Pidfd))
        {
            _departing.Remove(pid);
            Depart(departed.Process, exited: true);
        }

        if (clients.Processes.TryGetValue(pid, out ClientProcess? process) && Pidfd.HasExited(process.Pidfd))
        {
            process.Exited = true;
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
        allocations.Close(c.Allocation);
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

    /// <summary>Finishes the releases whose engines have moved on, and the departures that are due.</summary>
    public void CompleteReleases()
    {
        if (_departing.Count > 0)
        {
            CompleteDepartures(Environment.TickCount64);
        }

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
            allocations.Uncharge(r.Connection.Allocation, device.Name);
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
        clients.Processes.Remove(process.Pid);
        accounting.CloseProcess(process.User);
        if (process.Exited || Pidfd.HasExited(process.Pidfd))
        {
            Depart(process, exited: true);
        }
        else
        {
            // An earlier process of the same pid may still be here (it exited, its pid came back and left again
            // within the grace): that one goes now.
            if (_departing.Remove(process.Pid, out var earlier))
            {
                Depart(earlier.Process, exited: Pidfd.HasExited(earlier.Process.Pidfd));
            }

            _departing.Add(process.Pid, (process, Environment.TickCount64 + ExitGraceMilliseconds));
        }
    }

    private void CompleteDepartures(long now)
    {
        foreach ((int pid, (ClientProcess process, long deadline)) in _departing.ToArray())
        {
            bool exited = Pidfd.HasExited(process.Pidfd);
            if (exited || now >= deadline)
            {
                _departing.Remove(pid);
                Depart(process, exited);
            }
        }
    }

    /// <summary>Logs how the process left (rate limited per uid), stops watching its pidfd and closes it.</summary>
    private void Depart(ClientProcess process, bool exited)
    {
        if (exited)
        {
            clientLog.ClientExited(process.User.Uid, process.Pid, process.Command);
        }
        else
        {
            clientLog.ClientLeft(process.User.Uid, process.Pid, process.Command);
        }

        epoll.Remove(process.Pidfd);
        process.Dispose();
    }
}
