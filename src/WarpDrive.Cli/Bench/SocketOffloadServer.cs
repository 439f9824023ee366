using System.Buffers.Binary;
using System.Net.Sockets;

namespace WarpDrive.Cli.Bench;

/// <summary><c>wd bench --serve-socket PATH</c> (hidden): the classic offload server <c>--compare</c> measures against.
/// It listens on a Unix stream socket, prints <c>ready</c>, accepts one connection per submitting thread and serves
/// each on its own thread: a request is a 4-byte little-endian length and that many bytes, the answer the same, computed
/// with the direct library call. It exits once every connection has closed.</summary>
internal static class SocketOffloadServer
{
    public static int Run(BenchSettings settings, string path)
    {
        using var input = new BenchInput(settings);
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(settings.Threads);
        Console.Out.WriteLine("ready");
        Console.Out.Flush();
        var threads = new List<Thread>();
        for (int i = 0; i < settings.Threads; i++)
        {
            Socket connection = listener.Accept();
            var thread = new Thread(() => Serve(connection, input)) { Name = $"wd bench socket server {i}" };
            thread.Start();
            threads.Add(thread);
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        File.Delete(path);
        return ExitCodes.Ok;
    }

    private static void Serve(Socket connection, BenchInput input)
    {
        using (connection)
        using (var operation = new DirectOperation(input))
        {
            byte[] request = new byte[input.RequestInput.Length + 4];
            byte[] answer = new byte[input.OutputCapacity + 4];
            try
            {
                while (ReceiveExactly(connection, request.AsSpan(0, 4)))
                {
                    int length = BinaryPrimitives.ReadInt32LittleEndian(request);
                    if (length < 0 || length > request.Length - 4 || !ReceiveExactly(connection, request.AsSpan(4, length)))
                    {
                        return;
                    }

                    int n = operation.Run(request.AsSpan(4, length), answer.AsSpan(4));
                    BinaryPrimitives.WriteInt32LittleEndian(answer, n);
                    SendAll(connection, answer.AsSpan(0, n + 4));
                }
            }
            catch (SocketException)
            {
                // The client went away.
            }
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false at end of stream.</summary>
    public static bool ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            int n = socket.Receive(buffer);
            if (n == 0)
            {
                return false;
            }

            buffer = buffer[n..];
        }

        return true;
    }

    public static void SendAll(Socket socket, ReadOnlySpan<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            buffer = buffer[socket.Send(buffer)..];
        }
    }
}
