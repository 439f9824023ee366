using System.Runtime.InteropServices;
using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>The one place that maps each control message of docs/BROKER-PROTOCOL.md to its handler: it checks a
/// received datagram (size, sender, reserved bits, op) and either refuses it with the protocol's error or calls the
/// <see cref="IControlHandler{TClient}"/> method of its op. Pure: no socket, no broker state.</summary>
internal static class ControlDispatcher
{
    /// <summary>Dispatches one datagram of <paramref name="client"/>.</summary>
    /// <param name="datagram">What arrived: a request is exactly <see cref="BrokerRequest.Size"/> bytes; pass an
    /// empty span for a datagram that was truncated or carried file descriptors.</param>
    /// <param name="senderPid">The sender's pid from its credentials (SCM_CREDENTIALS); null when it sent none.</param>
    /// <param name="ownerPid">The pid that opened the connection: only that process may use it.</param>
    public static void Dispatch<TClient>(IControlHandler<TClient> handler, TClient client, ReadOnlySpan<byte> datagram,
        int? senderPid, int ownerPid)
    {
        if (datagram.Length != BrokerRequest.Size)
        {
            handler.Refuse(client, new BrokerResponse { Status = BrokerStatus.BadMessage },
                $"a request is {BrokerRequest.Size} bytes without file descriptors");
            return;
        }

        BrokerRequest request = MemoryMarshal.Read<BrokerRequest>(datagram);
        if (senderPid != ownerPid)
        {
            handler.Refuse(client, new BrokerResponse { Op = request.Op, Status = BrokerStatus.NotOwner },
                "only the process that opened the queue may use it");
            return;
        }

        if (request.Reserved != 0 || (request.Flags & ~BrokerRequestFlags.Wait) != 0
            || (request.Flags != 0 && request.Op != BrokerOp.StartQueue))
        {
            handler.Refuse(client, new BrokerResponse { Op = request.Op, Status = BrokerStatus.BadMessage }, "reserved bits set");
            return;
        }

        Route(handler, client, request);
    }

    private static void Route<TClient>(IControlHandler<TClient> handler, TClient client, in BrokerRequest request)
    {
        switch (request.Op)
        {
            case BrokerOp.Info:
                handler.Info(client);
                break;
            case BrokerOp.StartQueue:
                handler.StartQueue(client, (request.Flags & BrokerRequestFlags.Wait) != 0);
                break;
            case BrokerOp.PutQueue:
                handler.PutQueue(client);
                break;
            case BrokerOp.Claim:
                handler.Claim(client, new AllocationToken(request.Arg0, request.Arg1));
                break;
            case BrokerOp.MemAlloc:
                handler.MemAlloc(client, request.Arg0);
                break;
            case BrokerOp.MemMap:
                handler.MemMap(client, request.Arg0, request.Arg1);
                break;
            case BrokerOp.MemFree:
                handler.MemFree(client, request.Arg0);
                break;
            default:
                handler.Refuse(client, new BrokerResponse { Op = request.Op, Status = BrokerStatus.BadMessage },
                    $"unknown op {(ushort)request.Op}");
                break;
        }
    }
}
