using System.Runtime.InteropServices;
using WarpDrive.Abi.Broker;

namespace WarpDrive.Tests;

/// <summary>The control messages sit where docs/BROKER-PROTOCOL.md says: both sides read them as raw bytes.</summary>
public class BrokerMessageLayoutTests
{
    [Theory]
    [InlineData(nameof(BrokerRequest.Op), 0)]
    [InlineData(nameof(BrokerRequest.Flags), 2)]
    [InlineData(nameof(BrokerRequest.Reserved), 4)]
    [InlineData(nameof(BrokerRequest.Arg0), 8)]
    [InlineData(nameof(BrokerRequest.Arg1), 16)]
    [InlineData(nameof(BrokerRequest.Arg2), 24)]
    public void RequestFieldsSitWhereTheProtocolSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<BrokerRequest>(field));

    [Theory]
    [InlineData(nameof(BrokerResponse.Op), 0)]
    [InlineData(nameof(BrokerResponse.Reserved), 2)]
    [InlineData(nameof(BrokerResponse.Status), 4)]
    [InlineData(nameof(BrokerResponse.Value0), 8)]
    [InlineData(nameof(BrokerResponse.Value1), 16)]
    [InlineData(nameof(BrokerResponse.Value2), 24)]
    public void ResponseFieldsSitWhereTheProtocolSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<BrokerResponse>(field));

    [Fact]
    public void MessagesAre32BytesAndCodesAreStable()
    {
        Assert.Equal(32, Marshal.SizeOf<BrokerRequest>());
        Assert.Equal(32, Marshal.SizeOf<BrokerResponse>());
        Assert.Equal(BrokerProtocol.MaxDatagram, BrokerResponse.Size + BrokerResponse.MaxMessageBytes);
        Assert.Equal([1, 2, 3, 4, 0x10, 0x11, 0x12], Enum.GetValues<BrokerOp>().Select(o => (int)o));
        Assert.Equal(Enumerable.Range(0, 13), Enum.GetValues<BrokerStatus>().Select(s => (int)s));
    }
}
