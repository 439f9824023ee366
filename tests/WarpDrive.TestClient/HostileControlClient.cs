using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.TestClient;

/// <summary>A hostile client of the broker's control protocol: on up to 8 connections to its devices at a time it
/// sends random and crafted messages (wrong sizes, unknown ops, flags and reserved bits, START_Q twice, PUT_Q without a
/// queue, MEM_ALLOC of every size, MEM_MAP and MEM_FREE of made-up, freed and real handles at any address, file
/// descriptors attached), opens and drops connections, and keeps books: every request must get exactly one reply in
/// order, or its connection closed by the broker. Prints one line of <c>key=value</c> counts.</summary>
internal sealed class HostileControlClient : IDisposable
{
    private static readonly string[] s_devices = ["zip-0", "sec-0", "hpre-0"];
    private static readonly TimeSpan s_replyTimeout = TimeSpan.FromSeconds(10);

    private readonly string _runDirectory;
    private readonly Random _random;
    private readonly List<UnixSeqPacketSocket> _connections = [];
    private readonly List<ulong> _handles = []; // region handles the broker gave out (some freed since)
    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly FileStream _someFile;
    private readonly byte[] _message = new byte[64];
    private readonly byte[] _reply = new byte[BrokerProtocol.MaxDatagram];
    private readonly int[] _fds = new int[UnixSeqPacketSocket.MaxFileDescriptors];

    private HostileControlClient(string runDirectory, int seed)
    {
        _runDirectory = runDirectory;
        _random = new Random(seed);
        _someFile = File.OpenRead("/proc/self/status");
    }

    /// <summary><c>control COUNT SEED</c>: sends at least COUNT requests.</summary>
    public static int Run(string[] args)
    {
        long count = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        int seed = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        string runDirectory = Environment.GetEnvironmentVariable(RunDirectory.EnvironmentVariable)
            ?? throw new InvalidOperationException($"{RunDirectory.EnvironmentVariable} is not set");
        using var client = new HostileControlClient(runDirectory, seed);
        while (client.Count("requests") < count)
        {
            client.Step();
        }

        Console.WriteLine(string.Join(' ', client._counts.Select(kv => $"{kv.Key}={kv.Value}")));
        return 0;
    }

    private long Count(string key) => _counts.GetValueOrDefault(key);

    private void Add(string key, long n = 1) => _counts[key] = Count(key) + n;

    private void Step()
    {
        if (_connections.Count == 0 || (_connections.Count < 8 && _random.Next(50) == 0))
        {
            _connections.Add(UnixSeqPacketSocket.Connect(RunDirectory.DeviceSocket(_runDirectory, s_devices[_random.Next(s_devices.Length)])));
            _connections[^1].SetReceiveTimeout(s_replyTimeout);
            Add("connections_opened");
        }

        int index = _random.Next(_connections.Count);
        if (_random.Next(60) == 0)
        {
            Drop(index, "connections_dropped"); // whatever it held (a queue, regions) goes back
            return;
        }

        UnixSeqPacketSocket connection = _connections[index];
        int length = Craft(out bool withFd);
        try
        {
            connection.Send(_message.AsSpan(0, length), withFd ? [_someFile.SafeFileHandle] : []);
        }
        catch (IOException)
        {
            Drop(index, "closed_by_broker_before_send");
            return;
        }

        Add("requests");
        ReceiveStatus status;
        int n;
        int fdCount;
        try
        {
            status = connection.Receive(_reply, _fds, out n, out fdCount, out _);
        }
        catch (IOException)
        {
            Drop(index, "closed_by_broker_instead_of_reply"); // a reset: closed with this request unread
            return;
        }

        for (int i = 0; i < fdCount; i++)
        {
            new SafeFileHandle(_fds[i], ownsHandle: true).Dispose(); // a ring or a region: not mapped, just closed
        }

        if (status == ReceiveStatus.WouldBlock)
        {
            Add("unanswered"); // nothing within the timeout on a connection that is still open
            Drop(index, "connections_dropped");
            return;
        }

        if (status == ReceiveStatus.EndOfStream)
        {
            // A zero-length message reads as the end of the connection on a SEQPACKET socket: the broker closes it.
            Drop(index, "closed_by_broker_instead_of_reply");
            return;
        }

        if (status == ReceiveStatus.Rejected || n < BrokerResponse.Size)
        {
            Add("malformed_replies");
            return;
        }

        BrokerResponse response = MemoryMarshal.Read<BrokerResponse>(_reply);
        Add("replies");
        Add($"status_{response.Status}");
        if (response.Status == BrokerStatus.Ok && response.Op == BrokerOp.MemAlloc && _handles.Count < 4096)
        {
            _handles.Add(response.Value0);
        }
    }

    private void Drop(int index, string reason)
    {
        _connections[index].Dispose();
        _connections.RemoveAt(index);
        Add(reason);
    }

    /// <summary>Writes one message into <see cref="_message"/>; returns its length.</summary>
    private int Craft(out bool withFd)
    {
        withFd = _random.Next(50) == 0;
        if (_random.Next(10) == 0)
        {
            int length = _random.Next(0, _message.Length + 1); // any size, most of them wrong
            _random.NextBytes(_message.AsSpan(0, length));
            return length;
        }

        var request = new BrokerRequest
        {
            Op = _random.Next(8) == 0 ? (BrokerOp)_random.Next(0, 0x10000) : PickOp(),
            Flags = _random.Next(6) == 0 ? (BrokerRequestFlags)_random.Next(0, 0x10000) : BrokerRequestFlags.None,
            Reserved = _random.Next(10) == 0 ? (uint)_random.Next() : 0,
            Arg0 = AnyArgument(),
            Arg1 = AnyArgument(),
            Arg2 = _random.Next(4) == 0 ? AnyArgument() : 0,
        };
        if (request.Flags == BrokerRequestFlags.Wait)
        {
            request.Flags |= (BrokerRequestFlags)2; // a START_Q that waits for a queue could rightly stay unanswered
        }

        MemoryMarshal.Write(_message, in request);
        return BrokerRequest.Size;
    }

    private BrokerOp PickOp() => _random.Next(6) switch
    {
        0 => BrokerOp.Info,
        1 => BrokerOp.StartQueue,
        2 => BrokerOp.PutQueue,
        3 => BrokerOp.MemAlloc,
        4 => BrokerOp.MemMap,
        _ => BrokerOp.MemFree,
    };

    /// <summary>Sizes, handles and addresses, sane and otherwise.</summary>
    private ulong AnyArgument() => _random.Next(10) switch
    {
        0 => 0,
        1 => ulong.MaxValue - (ulong)_random.Next(0, 4096),
        2 => (ulong)_random.Next(1, 64 << 10), // a small region size, or a made-up handle
        3 => (ulong)_random.NextInt64(1L << 20, 1L << 40), // a size past every cap
        4 when _handles.Count > 0 => _handles[_random.Next(_handles.Count)], // a real handle, maybe freed since
        5 => 0x7f00_0000_0000 + ((ulong)_random.Next(0, 1 << 20) * 4096), // a user-space address
        6 => (ulong)_random.NextInt64(),
        7 => 4096,
        _ => (ulong)_random.Next(0, 16),
    };

    public void Dispose()
    {
        _connections.ForEach(c => c.Dispose());
        _someFile.Dispose();
    }
}
