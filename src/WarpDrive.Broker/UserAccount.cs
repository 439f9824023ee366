namespace WarpDrive.Broker;

/// <summary>What one user (uid) holds across all its processes: queues and shared bytes, checked against the
/// broker's per-user caps (the broker's RLIMIT_MEMLOCK).</summary>
internal sealed class UserAccount(uint uid)
{
    public uint Uid { get; } = uid;

    public int Queues { get; set; }

    public long SharedBytes { get; set; }

    /// <summary>Shared regions held (allocated or being made, not yet unmapped).</summary>
    public int Regions { get; set; }

    /// <summary>Client processes of this user the broker knows: while any is, the account must stay the one in the
    /// broker's table, or a new process of the same uid would get a fresh account and the caps would split.</summary>
    public int Processes { get; set; }

    /// <summary>Client connections of this user's processes (against <c>max_connections_per_user</c>).</summary>
    public int Connections { get; set; }

    public bool IsIdle => Queues == 0 && SharedBytes == 0 && Processes == 0;
}
