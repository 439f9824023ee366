using System.Buffers.Binary;
using System.Net.Sockets;

namespace WarpDrive.Cli.Bench;

/// <summary>The client side of <see cref="SocketOffloadServer"/>: one connection per submitting thread, one request at a
/// time (write the framed packet, read the framed answer).</summary>
internal sealed class SocketWorker : BenchWorker
{
    private readonly Socket _socket;
    private readonly byte[] _request;
    private readonly byte[] _answer;

    public SocketWorker(BenchInput input, string path)
    {
        byte[] source = input.RequestInput;
        _request = new byte[source.Length + 4];
        BinaryPrimitives.WriteInt32LittleEndian(_request, source.Length);
        source.CopyTo(_request.AsSpan(4));
        _answer = new byte[input.OutputCapacity];
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Connect(new UnixDomainSocketEndPoint(path));
    }

    public override int InputBytes => _request.Length - 4;

    public override bool SupportsAsync => false;

    public override void RunSync()
    {
        SocketOffloadServer.SendAll(_socket, _request);
        Span<byte> header = stackalloc byte[4];
        if (!SocketOffloadServer.ReceiveExactly(_socket, header))
        {
            Fail("the socket server closed the connection");
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length <= 0 || length > _answer.Length || !SocketOffloadServer.ReceiveExactly(_socket, _answer.AsSpan(0, length)))
        {
            Fail("the socket server sent a bad answer");
        }

        LastOutputBytes = length;
    }

    public override void Dispose()
    {
        _socket.Dispose();
        base.Dispose();
    }
}
