using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>Accept and credentials: takes the pending connections of a device's socket, reads each peer's
/// credentials (SO_PEERCRED: pid and uid), applies the connection caps (refused with one CONNECTION_LIMIT reply),
/// finds or adds the peer's <see cref="ClientProcess"/> (start time, pidfd watched by epoll) and enters the
/// connection. Accept failures are logged (rate limited) and cost only that connection; EMFILE and the like pause
/// the device's listener for a tick.</summary>
internal sealed class ClientAcceptor(ClientTable clients, Epoll epoll, BrokerAccounting accounting, ClientLog clientLog, IClientLink link)
{
    /// <summary>Accepts every pending connection of <paramref name="device"/>.</summary>
    public void Accept(BrokerDevice device)
    {
        while (TryAccept(device) is { } socket)
        {
            ClientProcess? process;
            try
            {
                process = Admit(device, socket);
            }
            catch (IOException e)
            {
                clientLog.AcceptFailed(device.Name, e.Message);
                socket.Dispose();
                continue;
            }

            if (process is null)
            {
                socket.Dispose(); // refused, or gone already
                continue;
            }

            var connection = new ClientConnection(clients.NextConnectionId(), device, socket, process);
            clients.Connections.Add(connection.Id, connection);
            process.Connections.Add(connection);
            BrokerAccounting.OpenConnection(process.User);
            epoll.Add(socket.Handle, EpollEvents.In | EpollEvents.RdHup, connection.Id);
        }
    }

    /// <summary>Puts a paused listener back into epoll once its pause is over.</summary>
    public void ResumeIfDue(BrokerDevice device, long now)
    {
        if (device.AcceptPaused && now >= device.AcceptResumeAt)
        {
            device.AcceptPaused = false;
            epoll.Add(device.Listener.Handle, EpollEvents.In, device.Token);
        }
    }

    /// <summary>The next pending connection; on EMFILE, ENFILE or ENOMEM stops accepting on the device for a tick
    /// (the listener is level-triggered: it would fire again at once).</summary>
    private UnixSeqPacketSocket? TryAccept(BrokerDevice device)
    {
        try
        {
            return device.Listener.TryAccept(out UnixSeqPacketSocket? socket) ? socket : null;
        }
        catch (IOException e)
        {
            clientLog.AcceptFailed(device.Name, e.Message);
            epoll.Remove(device.Listener.Handle);
            device.AcceptPaused = true;
            device.AcceptResumeAt = Environment.TickCount64 + BrokerServer.TickMilliseconds;
            return null;
        }
    }

    /// <summary>The process a new connection belongs to, or null when it is refused (the caps: the client got its
    /// CONNECTION_LIMIT reply) or its process is gone already.</summary>
    private ClientProcess? Admit(BrokerDevice device, UnixSeqPacketSocket socket)
    {
        PeerCredentials peer = socket.GetPeerCredentials();
        UserAccount? account = ChargedAccount(peer);
        if (accounting.ConnectionRefusal(account, peer.Uid, clients.Connections.Count) is { } refusal)
        {
            // Rate limited: a client that retries in a loop must not flood the log.
            clientLog.TooManyClients(account?.Uid ?? peer.Uid, device.Name, peer.Pid, refusal.Message);
            Span<byte> buffer = stackalloc byte[BrokerProtocol.MaxDatagram];
            _ = socket.TrySend(ControlReply.Encode(new BrokerResponse { Status = refusal.Status }, refusal.Message, buffer));
            return null;
        }

        socket.EnablePassCredentials();
        return FindOrAddProcess(device.Name, socket, peer);
    }

    /// <summary>The account a new connection of <paramref name="peer"/> will be charged to: its process's, which is
    /// that of the uid the process first connected with. A process that changed its uid since (a daemon that dropped
    /// privileges) stays on that account, so the cap is checked there, not on the account of its uid now.</summary>
    private UserAccount? ChargedAccount(PeerCredentials peer)
    {
        if (clients.Processes.TryGetValue(peer.Pid, out ClientProcess? known) && known.User.Uid != peer.Uid
            && known.StartTime == ProcessControl.ReadStartTime(peer.Pid))
        {
            return known.User;
        }

        return accounting.Find(peer.Uid);
    }

    private ClientProcess? FindOrAddProcess(string device, UnixSeqPacketSocket socket, PeerCredentials peer)
    {
        string? startTime = ProcessControl.ReadStartTime(peer.Pid);
        if (startTime is null)
        {
            return null;
        }

        if (clients.Processes.TryGetValue(peer.Pid, out ClientProcess? known))
        {
            if (known.StartTime == startTime)
            {
                return known;
            }

            // The pid was reused before we saw the old process's pidfd: that one is gone.
            foreach (ClientConnection c in known.Connections.ToArray())
            {
                link.Close(c);
            }
        }

        SafeFileHandle pidfd = socket.TryGetPeerPidfd(out SafeFileHandle? peerPidfd) ? peerPidfd : Pidfd.Open(peer.Pid);
        try
        {
            // Watched before it enters the tables: a failure here (ENOMEM, ENOSPC) leaves nothing behind.
            epoll.Add(pidfd, EpollEvents.In, EpollTokens.Pidfd(peer.Pid));
        }
        catch
        {
            pidfd.Dispose();
            throw;
        }

        UserAccount user = accounting.GetOrAdd(peer.Uid);
        var process = new ClientProcess(peer.Pid, startTime, user, pidfd, ProcessControl.ReadCommand(peer.Pid) ?? "?");
        BrokerAccounting.OpenProcess(user);
        clients.Processes.Add(peer.Pid, process);
        clientLog.ClientArrived(peer.Uid, peer.Pid, process.Command, device);
        return process;
    }
}
