namespace WarpDrive.Broker;

/// <summary>What one user (uid) holds across all its processes: queues and shared bytes, checked against the
/// broker's per-user caps (the broker's RLIMIT_MEMLOCK).</summary>
internal sealed class UserAccount(uint uid)
{
    public uint Uid { get; } = uid;

    public int Queues { get; set; }

    public long SharedBytes { get; set; }

    public bool IsIdle => Queues == 0 && SharedBytes == 0;
}
