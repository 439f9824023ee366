using WarpDrive.Abi.Broker;
using WarpDrive.Broker;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>The broker's allocation rules (<see cref="AllocationTable"/>, docs/BROKER-PROTOCOL.md "Allocations") and
/// the token and file formats both sides share, without a broker.</summary>
public sealed class AllocationRulesTests
{
    private static readonly AllocationToken s_token = new(0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210);
    private readonly Dictionary<string, string> _files = new(StringComparer.Ordinal);

    private AllocationTable Table(bool required = false) => new(required, name => _files.GetValueOrDefault(name), _files.ContainsKey);

    [Fact]
    public void ATokenIs32HexDigitsLowHalfFirst()
    {
        Assert.Equal("0123456789abcdeffedcba9876543210", s_token.ToString());
        Assert.True(AllocationToken.TryParse("0123456789ABCDEFfedcba9876543210", out AllocationToken parsed));
        Assert.Equal(s_token, parsed);
        Assert.False(AllocationToken.TryParse("0123456789abcdef", out _));
        Assert.False(AllocationToken.TryParse("0123456789abcdeffedcba987654321g", out _));
        Assert.False(AllocationToken.TryParse(null, out _));
        Assert.NotEqual(AllocationToken.NewRandom(), AllocationToken.NewRandom());
    }

    [Fact]
    public void AnAllocationFileIsOneDeviceAndLimitPerLine()
    {
        string text = AllocationFile.Format(new Dictionary<string, int> { ["zip-1"] = 2, ["zip-0"] = 1 });
        Assert.Equal("zip-0 1\nzip-1 2\n", text);
        Assert.True(AllocationFile.TryParse(text, out IReadOnlyDictionary<string, int>? limits, out _));
        Assert.Equal(2, limits["zip-1"]);
        Assert.False(AllocationFile.TryParse("zip-0 1\nzip-0 2\n", out _, out string? twice));
        Assert.Equal("line 2 is not 'DEVICE QUEUES' (or names its device twice)", twice);
        Assert.False(AllocationFile.TryParse("zip-0 -1\n", out _, out _));
        Assert.False(AllocationFile.TryParse("zip-0  1\n", out _, out _));
        Assert.False(AllocationFile.TryParse(new string('a', AllocationFile.MaxBytes + 1), out _, out _));
        Assert.Throws<ArgumentException>(() => AllocationFile.Format(new Dictionary<string, int> { ["zip 0"] = 1 }));
    }

    [Fact]
    public void AClaimedAllocationHoldsAtMostItsLimitOfEachDevice()
    {
        _files[s_token.ToString()] = "zip-0 2\n";
        AllocationTable table = Table();
        Assert.Null(table.Claim(null, started: false, s_token, out Allocation? allocation));
        Assert.NotNull(allocation);

        Assert.Null(table.QueueRefusal(allocation, "zip-0"));
        allocation.Charge("zip-0");
        allocation.Charge("zip-0");
        Refusal? full = table.QueueRefusal(allocation, "zip-0");
        Assert.Equal(BrokerStatus.NoQueue, full?.Status);
        Assert.Equal("allocation 01234567... holds 2 of its 2 queue(s) of zip-0", full?.Message);
        Assert.Equal(BrokerStatus.NoQueue, table.QueueRefusal(allocation, "sec-0")?.Status); // not allocated: limit 0

        table.Uncharge(allocation, "zip-0");
        Assert.Null(table.QueueRefusal(allocation, "zip-0"));

        // Removed by the plugin: no further queue, no further claim.
        _files.Clear();
        Assert.Equal(BrokerStatus.QueueLimit, table.QueueRefusal(allocation, "zip-0")?.Status);
        Assert.Equal(BrokerStatus.BadHandle, table.Claim(null, started: false, s_token, out _)?.Status);
    }

    [Fact]
    public void ConnectionsOfOneAllocationShareItsCountAndItIsForgottenWhenIdle()
    {
        _files[s_token.ToString()] = "zip-0 1\n";
        AllocationTable table = Table();
        Assert.Null(table.Claim(null, started: false, s_token, out Allocation? first));
        Assert.Null(table.Claim(null, started: false, s_token, out Allocation? second));
        Assert.Same(first, second);
        first!.Charge("zip-0");
        Assert.Equal(BrokerStatus.NoQueue, table.QueueRefusal(second, "zip-0")?.Status);

        table.Close(first);
        table.Close(second);
        Assert.Equal(1, table.Count); // its queue's release is not complete yet
        table.Uncharge(first, "zip-0");
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void ClaimsAreRefusedTwiceAfterStartQAndForUnknownOrMalformedFiles()
    {
        AllocationTable table = Table();
        Assert.Equal(BrokerStatus.BadHandle, table.Claim(null, started: false, s_token, out _)?.Status);
        _files[s_token.ToString()] = "zip-0\n";
        Assert.Equal("allocation 01234567...: line 1 is not 'DEVICE QUEUES' (or names its device twice)", table.Claim(null, started: false, s_token, out _)?.Message);
        _files[s_token.ToString()] = "zip-0 1\n";
        Assert.Equal(BrokerStatus.AlreadyStarted, table.Claim(null, started: true, s_token, out _)?.Status);
        Assert.Null(table.Claim(null, started: false, s_token, out Allocation? claimed));
        Assert.Equal(BrokerStatus.BadMessage, table.Claim(claimed, started: false, s_token, out _)?.Status);
    }

    [Fact]
    public void RequireAllocationRefusesAConnectionThatClaimedNothing()
    {
        Assert.Null(Table().QueueRefusal(null, "zip-0"));
        Refusal? refusal = Table(required: true).QueueRefusal(null, "zip-0");
        Assert.Equal(BrokerStatus.QueueLimit, refusal?.Status);
        Assert.Contains("WD_ALLOCATION", refusal?.Message, StringComparison.Ordinal);
    }
}
