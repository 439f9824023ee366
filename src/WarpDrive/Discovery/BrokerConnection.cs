using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Discovery;

/// <summary>One connection to a broker device socket: the client end of the control protocol
/// (docs/BROKER-PROTOCOL.md). Calls are serialised; a reply's file descriptor is handed to the caller.</summary>
internal sealed class BrokerConnection : IDisposable
{
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly UnixSeqPacketSocket _socket;

    private BrokerConnection(UnixSeqPacketSocket socket, string device)
    {
        _socket = socket;
        Device = device;
    }

    /// <summary>The device whose socket this is.</summary>
    public string Device { get; }

    /// <summary>Connects to <paramref name="socketPath"/> (uacce: open the chrdev).</summary>
    /// <exception cref="WdDeviceNotFoundException">No broker listens there, or its mode shuts us out.</exception>
    public static BrokerConnection Open(string socketPath, string device)
    {
        try
        {
            UnixSeqPacketSocket socket = UnixSeqPacketSocket.Connect(socketPath);
            socket.SetReceiveTimeout(s_pollInterval);
            return new BrokerConnection(socket, device);
        }
        catch (IOException e)
        {
            throw new WdDeviceNotFoundException($"{device}: cannot open {socketPath}: {e.Message}");
        }
    }

    /// <summary>Sends one request and waits for its reply.</summary>
    /// <param name="request">The request.</param>
    /// <param name="fd">The file descriptor the reply carried, if any (the caller owns it).</param>
    /// <param name="message">The broker's one-line error, when the status is not OK.</param>
    /// <param name="cancellationToken">Stops waiting (the connection is then unusable: dispose it).</param>
    public BrokerResponse Call(in BrokerRequest request, out SafeFileHandle? fd, out string? message, CancellationToken cancellationToken = default)
    {
        fd = null;
        message = null;
        Span<byte> buffer = stackalloc byte[BrokerProtocol.MaxDatagram];
        lock (_lock)
        {
            MemoryMarshal.Write(buffer, in request);
            try
            {
                if (!_socket.TrySend(buffer[..BrokerRequest.Size]))
                {
                    throw new WdException($"{Device}: the broker did not take the request");
                }

                Span<int> fds = stackalloc int[1];
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    ReceiveStatus status = _socket.Receive(buffer, fds, out int n, out int fdCount, out _);
                    if (status == ReceiveStatus.WouldBlock)
                    {
                        continue; // receive timeout: look at the token again
                    }

                    if (status == ReceiveStatus.EndOfStream)
                    {
                        throw new WdException($"{Device}: the broker closed the connection");
                    }

                    if (status == ReceiveStatus.Rejected || n < BrokerResponse.Size)
                    {
                        throw new WdException($"{Device}: malformed reply from the broker");
                    }

                    BrokerResponse response = MemoryMarshal.Read<BrokerResponse>(buffer);
                    fd = fdCount > 0 ? FileDescriptor.Own(fds[0]) : null;
                    if (response.Status != BrokerStatus.Ok)
                    {
                        message = ReplyMessage(buffer[..n], response.Status);
                        fd?.Dispose();
                        fd = null;
                    }

                    return response;
                }
            }
            catch (PlatformException e) when (e.IsPeerGone)
            {
                // A broker that refuses a connection (max_clients, max_connections_per_user) sends why and closes: the
                // reply waits in our receive queue behind the reset, or our send hit the end it had closed.
                if (TryReadParting(buffer, out BrokerResponse parting, out message))
                {
                    return parting;
                }

                throw new WdException($"{Device}: broker connection failed: {e.Message}", e);
            }
            catch (IOException e)
            {
                throw new WdException($"{Device}: broker connection failed: {e.Message}", e);
            }
        }
    }

    /// <summary>The one-line error after a failed reply's header, or the status's name when it sent none.</summary>
    private static string ReplyMessage(ReadOnlySpan<byte> datagram, BrokerStatus status) =>
        datagram.Length > BrokerResponse.Size ? Encoding.UTF8.GetString(datagram[BrokerResponse.Size..]) : status.ToString();

    /// <summary>Reads the error a broker sent before it closed the connection, if there is one.</summary>
    private bool TryReadParting(Span<byte> buffer, out BrokerResponse response, out string? message)
    {
        response = default;
        message = null;
        try
        {
            if (_socket.Receive(buffer, [], out int n, out _, out _) != ReceiveStatus.Message || n < BrokerResponse.Size || (response = MemoryMarshal.Read<BrokerResponse>(buffer)).Status == BrokerStatus.Ok)
            {
                return false;
            }

            message = ReplyMessage(buffer[..n], response.Status);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends a request that must succeed; throws with the broker's message otherwise.</summary>
    public BrokerResponse CallChecked(in BrokerRequest request, out SafeFileHandle? fd)
    {
        BrokerResponse response = Call(request, out fd, out string? message);
        if (response.Status != BrokerStatus.Ok)
        {
            throw new WdException($"{Device}: {message}");
        }

        return response;
    }

    /// <summary>Closes the connection: the broker releases the queue it held.</summary>
    /// <summary>Whether the broker closed the connection (it exited or was killed).</summary>
    public bool IsClosed
    {
        get
        {
            try
            {
                return _socket.IsPeerClosed();
            }
            catch (Platform.PlatformException)
            {
                return true;
            }
            catch (ObjectDisposedException)
            {
                return true;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
