using WarpDrive.Abi.Broker;
using WarpDrive.Broker;
using WarpDrive.Broker.Configuration;

namespace WarpDrive.Tests.Broker;

/// <summary>The broker's accounting and caps (<see cref="BrokerAccounting"/>, <see cref="DeviceQuota"/>) without a
/// broker: queues, the per-device reserve, connections, shared regions, the account table and tenant shares.</summary>
public sealed class BrokerAccountingUnitTests
{
    /// <summary>A device's free queues as the host would count them, and what the broker would do on START_Q.</summary>
    private sealed class Device
    {
        private readonly BrokerAccounting _accounting;

        public Device(BrokerAccounting accounting, DeviceConfig config)
        {
            _accounting = accounting;
            Free = config.Queues;
            Quota = new DeviceQuota(config.Name, config.ReservedQueues, () => { FreeReads++; return Free; });
        }

        public int Free { get; private set; }

        public int FreeReads { get; private set; }

        public DeviceQuota Quota { get; }

        /// <summary>START_Q's checks in the broker's order; null when a queue was taken, else why not.</summary>
        public Refusal? TryTake(UserAccount user)
        {
            Refusal? refusal = _accounting.QueueRefusal(user) ?? Quota.ReserveRefusal(user);
            if (refusal is not null)
            {
                return refusal;
            }

            if (Free == 0)
            {
                return new Refusal(BrokerStatus.NoQueue, "no free queue");
            }

            BrokerAccounting.ChargeQueue(Quota, user);
            Free--;
            return null;
        }

        public void Release(UserAccount user)
        {
            _accounting.UnchargeQueue(Quota, user);
            Free++;
        }
    }

    [Fact]
    public void UnderTheDefaultConfigAUidCannotTakeTheLastFreeQueueAndAnotherUidGetsIt()
    {
        BrokerConfig config = BrokerConfig.Default;
        var accounting = new BrokerAccounting(config.Limits, config.Scheduling);
        var device = new Device(accounting, config.Devices[0]);
        UserAccount first = accounting.GetOrAdd(1000);
        UserAccount second = accounting.GetOrAdd(2000);

        int taken = 0;
        while (device.TryTake(first) is null)
        {
            taken++;
        }

        Assert.Equal(15, taken);
        Refusal refusal = device.TryTake(first)!.Value;
        Assert.Equal(BrokerStatus.NoQueue, refusal.Status);
        Assert.Equal("uid 1000 holds 15 queue(s) of zip-0; its last 1 free queue(s) are kept for users that hold none (reserved_queues)", refusal.Message);
        Assert.Equal(1, device.Free);

        Assert.Null(device.TryTake(second)); // it holds none: the reserve is for it
        Assert.Equal(0, device.Free);
        Assert.Equal(15, device.Quota.HeldBy(first));
        Assert.Equal(1, device.Quota.HeldBy(second));
        Assert.Equal(2, device.Quota.Holders);
    }

    [Fact]
    public void ReservedQueuesZeroLetsOneUidTakeEveryQueue()
    {
        var accounting = new BrokerAccounting(new LimitsConfig(), new SchedulingConfig());
        var device = new Device(accounting, new DeviceConfig("zip-0") { ReservedQueues = 0 });
        UserAccount user = accounting.GetOrAdd(1000);

        for (int i = 0; i < 16; i++)
        {
            Assert.Null(device.TryTake(user));
        }

        Assert.Equal(0, device.Free);
        Assert.Equal(16, user.Queues);
    }

    [Fact]
    public void ReservedQueuesKeepsThatManyFreeQueuesFromAHolderButNeverItsFirstQueue()
    {
        var accounting = new BrokerAccounting(new LimitsConfig(), new SchedulingConfig());
        var device = new Device(accounting, new DeviceConfig("sec-1") { Queues = 4, ReservedQueues = 3 });
        UserAccount a = accounting.GetOrAdd(1);
        UserAccount b = accounting.GetOrAdd(2);
        UserAccount c = accounting.GetOrAdd(3);
        UserAccount d = accounting.GetOrAdd(4);

        Assert.Null(device.TryTake(a)); // 4 free, holds none
        Refusal refusal = device.TryTake(a)!.Value; // 3 free = the reserve
        Assert.Contains("its last 3 free queue(s)", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("of sec-1", refusal.Message, StringComparison.Ordinal);
        Assert.Null(device.TryTake(b));
        Assert.Null(device.TryTake(c));
        Assert.Null(device.TryTake(d)); // each user that held none got one
        Assert.Equal(0, device.Free);

        // With none free the reserve does not apply: the plain NO_QUEUE.
        Assert.Null(device.Quota.ReserveRefusal(a));

        // A release makes 1 free, within the reserve: a holder still may not take it.
        device.Release(d);
        Assert.NotNull(device.Quota.ReserveRefusal(a));
        Assert.Null(device.Quota.ReserveRefusal(d)); // d holds none any more
    }

    [Fact]
    public void TheReserveReadsTheFreeCountOnlyForAHolder()
    {
        var accounting = new BrokerAccounting(new LimitsConfig(), new SchedulingConfig());
        var device = new Device(accounting, new DeviceConfig("zip-0"));
        UserAccount user = accounting.GetOrAdd(1000);

        Assert.Null(device.Quota.ReserveRefusal(user));
        Assert.Equal(0, device.FreeReads);
        Assert.Null(device.TryTake(user));
        Assert.Null(device.Quota.ReserveRefusal(user));
        Assert.Equal(1, device.FreeReads);
    }

    [Fact]
    public void MaxQueuesPerUserCountsQueuesOnEveryDevice()
    {
        var accounting = new BrokerAccounting(new LimitsConfig { MaxQueuesPerUser = 3 }, new SchedulingConfig());
        var zip = new Device(accounting, new DeviceConfig("zip-0") { ReservedQueues = 0 });
        var sec = new Device(accounting, new DeviceConfig("sec-0") { ReservedQueues = 0 });
        UserAccount user = accounting.GetOrAdd(7);

        Assert.Null(zip.TryTake(user));
        Assert.Null(zip.TryTake(user));
        Assert.Null(sec.TryTake(user));
        Refusal refusal = sec.TryTake(user)!.Value;
        Assert.Equal(BrokerStatus.QueueLimit, refusal.Status);
        Assert.Equal("uid 7 already holds 3 queues (max_queues_per_user)", refusal.Message);

        zip.Release(user);
        Assert.Null(accounting.QueueRefusal(user));
        Assert.Equal(1, zip.Quota.HeldBy(user));
    }

    [Fact]
    public void AReleaseOfAQueueTheUserDoesNotHoldIsRefused()
    {
        var accounting = new BrokerAccounting(new LimitsConfig(), new SchedulingConfig());
        var quota = new DeviceQuota("zip-0", 1, () => 16);
        Assert.Throws<InvalidOperationException>(() => quota.Uncharge(accounting.GetOrAdd(1)));
    }

    [Fact]
    public void ConnectionsAreCappedPerUserFirstThenPerBroker()
    {
        var accounting = new BrokerAccounting(new LimitsConfig { MaxConnectionsPerUser = 2, MaxClients = 3 }, new SchedulingConfig());
        UserAccount user = accounting.GetOrAdd(1000);

        Assert.Null(accounting.ConnectionRefusal(null, 1000, 0));
        BrokerAccounting.OpenConnection(user);
        BrokerAccounting.OpenConnection(user);
        Refusal perUser = accounting.ConnectionRefusal(user, 1000, 2)!.Value;
        Assert.Equal(BrokerStatus.ConnectionLimit, perUser.Status);
        Assert.Equal("uid 1000 already holds 2 connections (max_connections_per_user)", perUser.Message);

        // Another uid is not held back by the first one's cap, only by the broker's.
        Assert.Null(accounting.ConnectionRefusal(null, 2000, 2));
        Refusal broker = accounting.ConnectionRefusal(null, 2000, 3)!.Value;
        Assert.Equal("broker at max_clients (3)", broker.Message);

        BrokerAccounting.CloseConnection(user);
        Assert.Null(accounting.ConnectionRefusal(user, 1000, 1));
    }

    [Fact]
    public void AProcessThatChangedItsUidIsNamedByTheAccountItIsChargedTo()
    {
        var accounting = new BrokerAccounting(new LimitsConfig { MaxConnectionsPerUser = 1 }, new SchedulingConfig());
        UserAccount root = accounting.GetOrAdd(0);
        BrokerAccounting.OpenConnection(root);

        // The acceptor passes the process's account with the peer's uid now: the cap and the message are the account's.
        Assert.Equal("uid 0 already holds 1 connections (max_connections_per_user)", accounting.ConnectionRefusal(root, 65534, 1)!.Value.Message);
    }

    [Theory]
    [InlineData(0UL, BrokerStatus.BadAddress)]
    [InlineData((256UL << 20) + 1, BrokerStatus.BadAddress)]
    public void ARegionOutside1ByteToTheCapIsABadAddress(ulong length, BrokerStatus status)
    {
        var accounting = new BrokerAccounting(new LimitsConfig(), new SchedulingConfig());
        Refusal refusal = accounting.RegionRefusal(accounting.GetOrAdd(1), length, out _)!.Value;
        Assert.Equal(status, refusal.Status);
        Assert.Equal("a shared region is 1 byte to 268435456 bytes (max_shared_bytes_per_user)", refusal.Message);
    }

    [Fact]
    public void SharedBytesAreChargedInWholePagesUpToTheCap()
    {
        var accounting = new BrokerAccounting(new LimitsConfig { MaxSharedBytesPerUser = 3 * 4096 }, new SchedulingConfig());
        UserAccount user = accounting.GetOrAdd(1000);

        Assert.Null(accounting.RegionRefusal(user, 1, out long size));
        Assert.Equal(4096, size);
        BrokerAccounting.ChargeRegion(user, size);
        Assert.Null(accounting.RegionRefusal(user, 8192, out size));
        BrokerAccounting.ChargeRegion(user, size);

        Refusal refusal = accounting.RegionRefusal(user, 1, out _)!.Value;
        Assert.Equal(BrokerStatus.MemoryLimit, refusal.Status);
        Assert.Equal("uid 1000 would share 16384 bytes, over max_shared_bytes_per_user 12288", refusal.Message);

        accounting.UnchargeRegion(user, 4096);
        Assert.Null(accounting.RegionRefusal(user, 4096, out _));
    }

    [Fact]
    public void RegionsAreCappedPerUser()
    {
        var accounting = new BrokerAccounting(new LimitsConfig { MaxRegionsPerUser = 2 }, new SchedulingConfig());
        UserAccount user = accounting.GetOrAdd(1000);
        BrokerAccounting.ChargeRegion(user, 4096);
        BrokerAccounting.ChargeRegion(user, 4096);

        Refusal refusal = accounting.RegionRefusal(user, 4096, out _)!.Value;
        Assert.Equal(BrokerStatus.MemoryLimit, refusal.Status);
        Assert.Equal("uid 1000 already holds 2 shared regions (max_regions_per_user)", refusal.Message);
    }

    [Fact]
    public void AnAccountStaysWhileAnythingIsChargedToItOrAProcessIsKnown()
    {
        var accounting = new BrokerAccounting(new LimitsConfig(), new SchedulingConfig());
        var quota = new DeviceQuota("zip-0", 1, () => 16);
        UserAccount user = accounting.GetOrAdd(1000);
        BrokerAccounting.OpenProcess(user);
        BrokerAccounting.ChargeQueue(quota, user);
        BrokerAccounting.ChargeRegion(user, 4096);

        accounting.CloseProcess(user); // its queue and region outlive the process until released
        Assert.Same(user, accounting.Find(1000));
        accounting.UnchargeQueue(quota, user);
        Assert.Same(user, accounting.Find(1000));
        accounting.UnchargeRegion(user, 4096);
        Assert.Null(accounting.Find(1000));
        Assert.Equal(0, accounting.Users);

        // A new process of the uid gets a fresh account.
        Assert.NotSame(user, accounting.GetOrAdd(1000));
    }

    [Fact]
    public void TenantSharesComeFromTheSchedulingConfig()
    {
        var scheduling = new SchedulingConfig
        {
            DefaultWeight = 2,
            Weights = new Dictionary<uint, int> { [1000] = 4 },
            MaxShares = new Dictionary<uint, int> { [1000] = 50 },
        };
        var accounting = new BrokerAccounting(new LimitsConfig(), scheduling);

        Assert.Equal((4, 50), accounting.TenantShare(1000));
        Assert.Equal((2, 100), accounting.TenantShare(2000));
    }
}
