namespace WarpDrive.Broker.Configuration;

/// <summary>Per-user and broker-wide limits: the config's <c>limits</c> object. Every property has a default;
/// <see cref="BrokerConfig"/> lists the keys, ranges and defaults.</summary>
public sealed record LimitsConfig
{
    /// <summary>Queues one user (uid) may hold across all devices (key <c>max_queues_per_user</c>, &gt;= 1).</summary>
    public int MaxQueuesPerUser { get; init; } = 64;

    /// <summary>Bytes of shared regions one user may hold, like RLIMIT_MEMLOCK (key
    /// <c>max_shared_bytes_per_user</c>, a size &gt;= 4096; default 256 MiB).</summary>
    public long MaxSharedBytesPerUser { get; init; } = 256L << 20;

    /// <summary>Error completions a queue may produce before the broker disables it (key
    /// <c>queue_error_threshold</c>, &gt;= 1).</summary>
    public int QueueErrorThreshold { get; init; } = 64;

    /// <summary>Most input and output one request of a broker client may name, shared memory or SVA (key
    /// <c>max_request_bytes</c>, a size 4096..4294967295; default 64 MiB).</summary>
    public long MaxRequestBytes { get; init; } = 64L << 20;

    /// <summary>Shared regions one user may hold at once (key <c>max_regions_per_user</c>, &gt;= 1): each is a mapping
    /// in the broker, and the kernel allows a process only so many (<c>vm.max_map_count</c>, 65530 by default).</summary>
    public int MaxRegionsPerUser { get; init; } = 4096;

    /// <summary>Client connections the broker accepts at once (key <c>max_clients</c>, &gt;= 1).</summary>
    public int MaxClients { get; init; } = 1024;

    /// <summary>Client connections one user may hold at once, all its processes together (key
    /// <c>max_connections_per_user</c>, &gt;= 1): without it one user could take every one of <see cref="MaxClients"/>
    /// and lock every other user out. Each queue is a connection, so it should be above <see cref="MaxQueuesPerUser"/>.</summary>
    public int MaxConnectionsPerUser { get; init; } = 256;

    /// <summary>Whether a client must claim an allocation (<c>CLAIM</c> with a token a device plugin handed out) before
    /// it may start a queue (key <c>require_allocation</c>, default false): on a Kubernetes node, so that a pod cannot
    /// hold more queues than it was allocated by leaving its token out. Without it, a client that claims nothing is
    /// held only by the per-uid caps, and one that claims an allocation by those and the allocation's.</summary>
    public bool RequireAllocation { get; init; }
}
