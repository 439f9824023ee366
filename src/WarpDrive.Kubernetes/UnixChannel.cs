using System.Net.Sockets;
using Grpc.Net.Client;

namespace WarpDrive.Kubernetes;

/// <summary>A gRPC channel to a server on a Unix socket (HTTP/2 without TLS, as the kubelet and its plugins speak).</summary>
public static class UnixChannel
{
    /// <summary>A channel whose every connection goes to <paramref name="socketPath"/>.</summary>
    public static GrpcChannel Create(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }
}
