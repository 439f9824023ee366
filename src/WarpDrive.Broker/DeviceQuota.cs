using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>One device's side of the queue accounting: the queues of the device each account holds (started, or
/// released but not yet complete) and the device's <c>reserved_queues</c>, the free queues kept for accounts that
/// hold none of them. Pure: the free count comes from <paramref name="freeQueues"/> (the device's
/// <c>available_instances</c>), read only when the reserve applies.</summary>
internal sealed class DeviceQuota(string deviceName, int reservedQueues, Func<int> freeQueues)
{
    private readonly Tally<UserAccount> _held = new();

    public string DeviceName { get; } = deviceName;

    /// <summary>Free queues kept for accounts that hold none of this device's queues (0: no reserve).</summary>
    public int ReservedQueues { get; } = reservedQueues;

    /// <summary>Accounts that hold a queue of the device (an account that holds none has no entry).</summary>
    public int Holders => _held.Keys;

    /// <summary>Queues of this device <paramref name="user"/> holds.</summary>
    public int HeldBy(UserAccount user) => _held[user];

    /// <summary>Why <paramref name="user"/> may not take one of the free queues of the device now (it holds a queue
    /// of the device and at most <see cref="ReservedQueues"/> are free: NO_QUEUE naming <c>reserved_queues</c>), or
    /// null when it may, or when none is free (then the answer is the plain NO_QUEUE).</summary>
    public Refusal? ReserveRefusal(UserAccount user)
    {
        int held = _held[user];
        if (ReservedQueues == 0 || held == 0)
        {
            return null;
        }

        int free = freeQueues();
        return free == 0 || free > ReservedQueues ? null
            : new Refusal(BrokerStatus.NoQueue,
                $"uid {user.Uid} holds {held} queue(s) of {DeviceName}; its last {ReservedQueues} free queue(s) are kept for users that hold none (reserved_queues)");
    }

    /// <summary>Counts a queue of the device started for <paramref name="user"/>.</summary>
    public void Charge(UserAccount user) => _held.Add(user);

    /// <summary>Counts a queue of <paramref name="user"/> released (its release complete).</summary>
    /// <exception cref="InvalidOperationException">The account holds no queue of the device.</exception>
    public void Uncharge(UserAccount user)
    {
        if (!_held.TryRemove(user))
        {
            throw new InvalidOperationException($"uid {user.Uid} holds no queue of {DeviceName}");
        }
    }
}
