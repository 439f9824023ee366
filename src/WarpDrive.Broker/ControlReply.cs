using System.Runtime.InteropServices;
using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>A reply on the wire: the 32-byte <see cref="BrokerResponse"/>, then, when there is a message, as much of
/// it in UTF-8 as fits in <see cref="BrokerResponse.MaxMessageBytes"/>. Pure.</summary>
internal static class ControlReply
{
    /// <summary>Writes the reply into <paramref name="buffer"/> (at least <see cref="BrokerProtocol.MaxDatagram"/>
    /// bytes) and returns the datagram. A message with status OK is sent as INTERNAL: a message means trouble.</summary>
    public static ReadOnlySpan<byte> Encode(in BrokerResponse response, string? message, Span<byte> buffer)
    {
        BrokerResponse r = response;
        if (message is not null && r.Status == BrokerStatus.Ok)
        {
            r.Status = BrokerStatus.Internal;
        }

        MemoryMarshal.Write(buffer, in r);
        int length = BrokerResponse.Size;
        if (message is not null)
        {
            // As much as fits in MaxMessageBytes, cut between characters.
            _ = System.Text.Unicode.Utf8.FromUtf16(message, buffer.Slice(BrokerResponse.Size, BrokerResponse.MaxMessageBytes), out _, out int written);
            length += written;
        }

        return buffer[..length];
    }
}
