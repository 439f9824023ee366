using System.Globalization;
using System.Runtime.InteropServices;
using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.TestClient;

/// <summary><c>setuid-flood UID COUNT</c> (run as root): registers with the broker under uid 0 (one queue), drops to
/// UID as a daemon that gives up its privileges would, then opens COUNT connections to zip-0, asks each for INFO and
/// prints how many the broker served: the connections a process opens after its uid changed are still a user's, so
/// max_connections_per_user bounds them.</summary>
internal static partial class UidChangeClient
{
    public static int Run(WdRuntime runtime, string[] args)
    {
        uint uid = uint.Parse(args[1], CultureInfo.InvariantCulture);
        int count = int.Parse(args[2], CultureInfo.InvariantCulture);
        using WdQueue queue = runtime.RequestQueue("gzip");
        if (SetUid(uid) != 0)
        {
            Console.Error.WriteLine($"setuid({uid}): errno {Marshal.GetLastPInvokeError()}");
            return 2;
        }

        string socketPath = RunDirectory.DeviceSocket(RunDirectory.Resolve(), "zip-0");
        Span<byte> request = stackalloc byte[BrokerRequest.Size];
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.Info });
        Span<byte> reply = stackalloc byte[BrokerProtocol.MaxDatagram];
        var held = new List<UnixSeqPacketSocket>();
        int served = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                UnixSeqPacketSocket socket = UnixSeqPacketSocket.Connect(socketPath);
                held.Add(socket);
                socket.SetReceiveTimeout(TimeSpan.FromSeconds(10));
                int n;
                try
                {
                    socket.Send(request);
                    _ = socket.Receive(reply, [], out n, out _, out _);
                }
                catch (PlatformException e) when (e.IsPeerGone)
                {
                    _ = socket.Receive(reply, [], out n, out _, out _);
                }

                if (n >= BrokerResponse.Size && MemoryMarshal.Read<BrokerResponse>(reply).Status == BrokerStatus.Ok)
                {
                    served++;
                }
            }
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }

        Console.WriteLine(served.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    [LibraryImport("libc", EntryPoint = "setuid", SetLastError = true)]
    private static partial int SetUid(uint uid);
}
