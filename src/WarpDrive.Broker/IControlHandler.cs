using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>What the broker does for each control message of docs/BROKER-PROTOCOL.md once
/// <see cref="ControlDispatcher"/> has checked it: the one seam between the wire (datagrams, credentials) and the
/// broker's state. <typeparamref name="TClient"/> is whatever names the sender (the broker: its connection).</summary>
internal interface IControlHandler<in TClient>
{
    /// <summary>Answers a message that is refused before any handler runs (bad size, not the owner, reserved bits,
    /// unknown op).</summary>
    void Refuse(TClient client, in BrokerResponse response, string message);

    /// <summary><c>INFO</c> (op 1).</summary>
    void Info(TClient client);

    /// <summary><c>START_Q</c> (op 2); <paramref name="wait"/>: flag <c>WAIT</c>.</summary>
    void StartQueue(TClient client, bool wait);

    /// <summary><c>PUT_Q</c> (op 3).</summary>
    void PutQueue(TClient client);

    /// <summary><c>CLAIM</c> (op 4): the allocation of <paramref name="token"/>.</summary>
    void Claim(TClient client, AllocationToken token);

    /// <summary><c>MEM_ALLOC</c> (op 0x10) of <paramref name="length"/> bytes.</summary>
    void MemAlloc(TClient client, ulong length);

    /// <summary><c>MEM_MAP</c> (op 0x11): region <paramref name="handle"/> at the client's <paramref name="address"/>.</summary>
    void MemMap(TClient client, ulong handle, ulong address);

    /// <summary><c>MEM_FREE</c> (op 0x12) of region <paramref name="handle"/>.</summary>
    void MemFree(TClient client, ulong handle);
}
