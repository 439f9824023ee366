using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Broker.Configuration;

namespace WarpDrive.Broker;

/// <summary>The broker's accounting and caps: one <see cref="UserAccount"/> per uid (kept while anything is charged
/// to it), the per-uid caps of the <c>limits</c> config (connections, queues, shared bytes, regions), the per-device
/// reserve (<see cref="DeviceQuota"/>) and each uid's tenant share from the <c>scheduling</c> config. Pure: it owns
/// no socket, device or process, so a test drives it without a broker.</summary>
internal sealed class BrokerAccounting(LimitsConfig limits, SchedulingConfig scheduling)
{
    private readonly Dictionary<uint, UserAccount> _users = [];

    /// <summary>Accounts in the table (each has something charged to it, or a known process).</summary>
    public int Users => _users.Count;

    /// <summary>The account of <paramref name="uid"/>, or null when nothing is charged to it.</summary>
    public UserAccount? Find(uint uid) => _users.GetValueOrDefault(uid);

    /// <summary>The account of <paramref name="uid"/>, made (and entered in the table) if need be.</summary>
    public UserAccount GetOrAdd(uint uid)
    {
        if (!_users.TryGetValue(uid, out UserAccount? user))
        {
            user = new UserAccount(uid);
            _users.Add(uid, user);
        }

        return user;
    }

    /// <summary>A client process of <paramref name="user"/> became known: the account stays while it is.</summary>
    public static void OpenProcess(UserAccount user) => user.Processes++;

    /// <summary>A client process of <paramref name="user"/> is gone.</summary>
    public void CloseProcess(UserAccount user)
    {
        user.Processes--;
        ForgetIfIdle(user);
    }

    public static void OpenConnection(UserAccount user) => user.Connections++;

    public static void CloseConnection(UserAccount user) => user.Connections--;

    /// <summary>Why a new connection of <paramref name="uid"/>, charged to <paramref name="account"/> (null: none
    /// yet), may not be accepted while the broker holds <paramref name="connections"/>: per user first (one user that
    /// opens thousands of connections must not lock the others out), then <c>max_clients</c>; null when it may.</summary>
    public Refusal? ConnectionRefusal(UserAccount? account, uint uid, int connections)
    {
        int userConnections = account?.Connections ?? 0;
        if (userConnections >= limits.MaxConnectionsPerUser)
        {
            return new Refusal(BrokerStatus.ConnectionLimit,
                $"uid {account?.Uid ?? uid} already holds {userConnections} connections (max_connections_per_user)");
        }

        return connections >= limits.MaxClients
            ? new Refusal(BrokerStatus.ConnectionLimit, $"broker at max_clients ({limits.MaxClients})")
            : null;
    }

    /// <summary>Why <paramref name="user"/> may not take another queue (<c>max_queues_per_user</c>), or null.</summary>
    public Refusal? QueueRefusal(UserAccount user) => user.Queues < limits.MaxQueuesPerUser ? null
        : new Refusal(BrokerStatus.QueueLimit, $"uid {user.Uid} already holds {user.Queues} queues (max_queues_per_user)");

    /// <summary>Charges a queue of <paramref name="device"/> started for <paramref name="user"/>.</summary>
    public static void ChargeQueue(DeviceQuota device, UserAccount user)
    {
        user.Queues++;
        device.Charge(user);
    }

    /// <summary>Returns a queue of <paramref name="device"/> whose release is complete.</summary>
    public void UnchargeQueue(DeviceQuota device, UserAccount user)
    {
        user.Queues--;
        device.Uncharge(user);
        ForgetIfIdle(user);
    }

    /// <summary>Why <paramref name="user"/> may not have a shared region of <paramref name="length"/> bytes
    /// (BAD_ADDRESS outside 1..<c>max_shared_bytes_per_user</c>; MEMORY_LIMIT over the user's bytes or regions), or
    /// null; <paramref name="size"/> is the length in whole pages.</summary>
    public Refusal? RegionRefusal(UserAccount user, ulong length, out long size)
    {
        size = 0;
        long cap = limits.MaxSharedBytesPerUser;
        if (length == 0 || length > (ulong)cap)
        {
            return new Refusal(BrokerStatus.BadAddress, $"a shared region is 1 byte to {cap} bytes (max_shared_bytes_per_user)");
        }

        size = (long)((length + RingLayout.PageSize - 1) & ~(ulong)(RingLayout.PageSize - 1));
        if (user.SharedBytes + size > cap)
        {
            return new Refusal(BrokerStatus.MemoryLimit, $"uid {user.Uid} would share {user.SharedBytes + size} bytes, over max_shared_bytes_per_user {cap}");
        }

        return user.Regions >= limits.MaxRegionsPerUser
            ? new Refusal(BrokerStatus.MemoryLimit, $"uid {user.Uid} already holds {user.Regions} shared regions (max_regions_per_user)")
            : null;
    }

    /// <summary>Charges a region of <paramref name="size"/> bytes (when it is asked for: it is made on a worker).</summary>
    public static void ChargeRegion(UserAccount user, long size)
    {
        user.SharedBytes += size;
        user.Regions++;
    }

    /// <summary>Returns a region that failed to be made or has been unmapped.</summary>
    public void UnchargeRegion(UserAccount user, long size)
    {
        user.SharedBytes -= size;
        user.Regions--;
        ForgetIfIdle(user);
    }

    /// <summary>The tenant share of <paramref name="uid"/> on every device: its weight (<c>scheduling.weights</c>,
    /// else <c>default_weight</c>) and the most percent of an engine it may take (<c>scheduling.max_share</c>).</summary>
    public (int Weight, int MaxSharePercent) TenantShare(uint uid) => (scheduling.WeightOf(uid), scheduling.MaxShareOf(uid));

    /// <summary>Drops an account with nothing charged and no known process from the table, so that the table holds
    /// only live users; while any is known the account stays (a new process of the uid shares its caps).</summary>
    private void ForgetIfIdle(UserAccount user)
    {
        if (user.IsIdle)
        {
            _users.Remove(user.Uid);
        }
    }
}
