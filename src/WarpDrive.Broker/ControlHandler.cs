using WarpDrive.Abi.Broker;
using WarpDrive.Devices;

namespace WarpDrive.Broker;

/// <summary>The broker's <see cref="IControlHandler{TClient}"/>: each control message a
/// <see cref="ControlDispatcher"/> let through goes to the component of its concern (queues, regions, cleanup).
/// A reply the client does not take throws <see cref="IOException"/>, which costs the client its connection.</summary>
internal sealed class ControlHandler(IClientLink link, QueueService queues, RegionService regions, ClientCleanup cleanup, AllocationTable allocations)
    : IControlHandler<ClientConnection>
{
    public void Refuse(ClientConnection client, in BrokerResponse response, string message) => link.Reply(client, response, message);

    public void Info(ClientConnection client)
    {
        DeviceHost host = client.Device.Host;
        link.Reply(client, new BrokerResponse
        {
            Op = BrokerOp.Info,
            Value0 = BrokerProtocol.Version,
            Value1 = (ulong)Environment.ProcessId,
            Value2 = (ulong)host.Flags | ((ulong)(uint)host.Options.QueueDepth << 32),
        });
    }

    public void StartQueue(ClientConnection client, bool wait) => queues.Start(client, wait);

    public void PutQueue(ClientConnection client)
    {
        if (client.Queue is null)
        {
            link.Reply(client, new BrokerResponse { Op = BrokerOp.PutQueue, Status = BrokerStatus.NotStarted }, "no queue is started on this connection");
            return;
        }

        cleanup.ReleaseQueue(client, replyWhenDone: true); // the reply says the engine has left the queue
    }

    public void Claim(ClientConnection client, AllocationToken token)
    {
        var response = new BrokerResponse { Op = BrokerOp.Claim };
        if (allocations.Claim(client, token) is { } refusal)
        {
            link.Reply(client, response with { Status = refusal.Status }, refusal.Message);
        }
        else
        {
            link.Reply(client, response);
        }
    }

    public void MemAlloc(ClientConnection client, ulong length) => regions.Alloc(client, length);

    public void MemMap(ClientConnection client, ulong handle, ulong address) => regions.Map(client, handle, address);

    public void MemFree(ClientConnection client, ulong handle) => regions.Free(client, handle);
}
