using System.Runtime.InteropServices;
using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>What a component may do to a client connection: answer it, or end it. The composition root
/// (<see cref="BrokerServer"/>) implements it over the socket and the cleanup.</summary>
internal interface IClientLink
{
    /// <summary>Sends a reply (with <paramref name="fd"/> attached when it is not null; it stays open while it is in the message).</summary>
    /// <exception cref="IOException">The client does not take it (its receive buffer is full).</exception>
    void Reply(ClientConnection c, in BrokerResponse response, string? message = null, SafeHandle? fd = null);

    /// <summary>Sends a reply, closing the connection if the client does not take it.</summary>
    void TryReply(ClientConnection c, in BrokerResponse response, string? message = null, SafeHandle? fd = null);

    /// <summary>Closes the connection: leaves any wait line, releases its queue, and with the process's last
    /// connection its regions and domain.</summary>
    void Close(ClientConnection c);
}
