using System.Runtime.InteropServices;
using WarpDrive.Abi.Broker;
using WarpDrive.Broker;

namespace WarpDrive.Tests.Broker;

/// <summary>Control-message dispatch (<see cref="ControlDispatcher"/>, docs/BROKER-PROTOCOL.md) without a broker:
/// each op reaches its handler with its arguments, and every malformed message gets the protocol's error.</summary>
public sealed class ControlDispatcherTests
{
    private const int Owner = 4242;

    /// <summary>Records what the dispatcher called.</summary>
    private sealed class Recorder : IControlHandler<string>
    {
        public List<string> Calls { get; } = [];

        public BrokerResponse? Refusal { get; private set; }

        public string? Message { get; private set; }

        public void Refuse(string client, in BrokerResponse response, string message)
        {
            Refusal = response;
            Message = message;
            Calls.Add($"{client}: refuse");
        }

        public void Info(string client) => Calls.Add($"{client}: info");

        public void StartQueue(string client, bool wait) => Calls.Add($"{client}: start wait={wait}");

        public void PutQueue(string client) => Calls.Add($"{client}: put");

        public void Claim(string client, AllocationToken token) => Calls.Add($"{client}: claim {token}");

        public void MemAlloc(string client, ulong length) => Calls.Add($"{client}: alloc {length}");

        public void MemMap(string client, ulong handle, ulong address) => Calls.Add($"{client}: map {handle} 0x{address:x}");

        public void MemFree(string client, ulong handle) => Calls.Add($"{client}: free {handle}");
    }

    private static byte[] Bytes(BrokerRequest request)
    {
        var bytes = new byte[BrokerRequest.Size];
        MemoryMarshal.Write(bytes, in request);
        return bytes;
    }

    private static Recorder Dispatch(ReadOnlySpan<byte> datagram, int? sender = Owner)
    {
        var recorder = new Recorder();
        ControlDispatcher.Dispatch(recorder, "c1", datagram, sender, Owner);
        return recorder;
    }

    private static Recorder Dispatch(BrokerRequest request, int? sender = Owner) => Dispatch(Bytes(request), sender);

    [Theory]
    [InlineData(BrokerOp.Info, BrokerRequestFlags.None, "c1: info")]
    [InlineData(BrokerOp.StartQueue, BrokerRequestFlags.None, "c1: start wait=False")]
    [InlineData(BrokerOp.StartQueue, BrokerRequestFlags.Wait, "c1: start wait=True")]
    [InlineData(BrokerOp.PutQueue, BrokerRequestFlags.None, "c1: put")]
    [InlineData(BrokerOp.Claim, BrokerRequestFlags.None, "c1: claim 000000000000200000007f0000000000")]
    [InlineData(BrokerOp.MemAlloc, BrokerRequestFlags.None, "c1: alloc 8192")]
    [InlineData(BrokerOp.MemMap, BrokerRequestFlags.None, "c1: map 8192 0x7f0000000000")]
    [InlineData(BrokerOp.MemFree, BrokerRequestFlags.None, "c1: free 8192")]
    public void EachOpReachesItsHandlerWithItsArguments(BrokerOp op, BrokerRequestFlags flags, string call)
    {
        Recorder r = Dispatch(new BrokerRequest { Op = op, Flags = flags, Arg0 = 8192, Arg1 = 0x7f00_0000_0000 });
        Assert.Equal([call], r.Calls);
    }

    [Theory]
    [InlineData(0)] // truncated or carried file descriptors: the transport passes nothing
    [InlineData(1)]
    [InlineData(BrokerRequest.Size - 1)]
    [InlineData(BrokerRequest.Size + 1)]
    public void AMessageOfTheWrongSizeIsABadMessage(int length)
    {
        byte[] bytes = new byte[BrokerRequest.Size + 1];
        Bytes(new BrokerRequest { Op = BrokerOp.Info }).CopyTo(bytes, 0);

        Recorder r = Dispatch(bytes.AsSpan(0, length));

        Assert.Equal(["c1: refuse"], r.Calls);
        Assert.Equal(BrokerStatus.BadMessage, r.Refusal!.Value.Status);
        Assert.Equal((BrokerOp)0, r.Refusal.Value.Op); // no op to echo: it was not read
        Assert.Equal("a request is 32 bytes without file descriptors", r.Message);
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)5)]
    [InlineData((ushort)0x13)]
    [InlineData(ushort.MaxValue)]
    public void AnUnknownOpIsABadMessageThatNamesIt(ushort op)
    {
        Recorder r = Dispatch(new BrokerRequest { Op = (BrokerOp)op });

        Assert.Equal(["c1: refuse"], r.Calls);
        Assert.Equal(BrokerStatus.BadMessage, r.Refusal!.Value.Status);
        Assert.Equal((BrokerOp)op, r.Refusal.Value.Op);
        Assert.Equal($"unknown op {op}", r.Message);
    }

    [Theory]
    [InlineData(null)] // no credentials
    [InlineData(Owner + 1)] // a child that inherited the socket
    public void OnlyTheOwnerMaySpeak(int? sender)
    {
        // Before anything else is checked: reserved bits set too.
        Recorder r = Dispatch(new BrokerRequest { Op = BrokerOp.StartQueue, Reserved = 1 }, sender);

        Assert.Equal(["c1: refuse"], r.Calls);
        Assert.Equal(BrokerStatus.NotOwner, r.Refusal!.Value.Status);
        Assert.Equal(BrokerOp.StartQueue, r.Refusal.Value.Op);
        Assert.Equal("only the process that opened the queue may use it", r.Message);
    }

    [Theory]
    [InlineData(BrokerOp.StartQueue, (ushort)0, 1u)] // reserved word
    [InlineData(BrokerOp.StartQueue, (ushort)2, 0u)] // an unknown flag
    [InlineData(BrokerOp.Info, (ushort)1, 0u)] // WAIT is START_Q's only
    [InlineData(BrokerOp.MemAlloc, (ushort)1, 0u)]
    [InlineData((BrokerOp)0x99, (ushort)0, 1u)] // before the op is looked at
    public void ReservedBitsAreABadMessage(BrokerOp op, ushort flags, uint reserved)
    {
        Recorder r = Dispatch(new BrokerRequest { Op = op, Flags = (BrokerRequestFlags)flags, Reserved = reserved });

        Assert.Equal(["c1: refuse"], r.Calls);
        Assert.Equal(BrokerStatus.BadMessage, r.Refusal!.Value.Status);
        Assert.Equal(op, r.Refusal.Value.Op);
        Assert.Equal("reserved bits set", r.Message);
    }

    [Fact]
    public void AReplyWithAMessageIsNeverOkAndItsMessageIsCutBetweenCharacters()
    {
        Span<byte> buffer = stackalloc byte[BrokerProtocol.MaxDatagram];
        string message = "x" + new string('é', BrokerResponse.MaxMessageBytes); // 'é' is 2 bytes in UTF-8

        ReadOnlySpan<byte> datagram = ControlReply.Encode(new BrokerResponse { Op = BrokerOp.Info }, message, buffer);

        BrokerResponse response = MemoryMarshal.Read<BrokerResponse>(datagram);
        Assert.Equal(BrokerStatus.Internal, response.Status);
        Assert.Equal(BrokerOp.Info, response.Op);
        Assert.Equal(BrokerResponse.Size + BrokerResponse.MaxMessageBytes - 1, datagram.Length); // 1 + 111 x 2 bytes
        Assert.Equal(BrokerResponse.Size, ControlReply.Encode(new BrokerResponse(), null, buffer).Length);
    }
}
