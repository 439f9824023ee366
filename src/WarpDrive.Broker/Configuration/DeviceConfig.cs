namespace WarpDrive.Broker.Configuration;

/// <summary>One device the broker hosts: an entry of the config's <c>devices</c> array. Every property but
/// <see cref="Name"/> has a default; <see cref="BrokerConfig"/> lists the keys, ranges and defaults.</summary>
/// <param name="Name">Device name, <c>^[a-z][a-z0-9_-]{0,31}-[0-9]+$</c>, e.g. <c>zip-0</c> (key <c>name</c>).</param>
public sealed record DeviceConfig(string Name)
{
    /// <summary>Device model (key <c>model</c>): <c>zip</c>, the only one so far.</summary>
    public string Model { get; init; } = Devices.DeviceCatalog.Zip;

    /// <summary>Codec the model runs on (key <c>engine</c>): <c>best</c> (ISA-L when present, else the system zlib),
    /// <c>isal</c> or <c>zlib</c> (<c>zlib-ng</c>: its former name, an alias).</summary>
    public string Engine { get; init; } = "best";

    /// <summary>zstd engine of the ZIP model (key <c>zstd_engine</c>): <c>best</c> (libzstd when installed, else the
    /// managed port), <c>libzstd</c> or <c>zstdsharp</c>.</summary>
    public string ZstdEngine { get; init; } = "best";

    /// <summary>LZ4 engine of the ZIP model (key <c>lz4_engine</c>): <c>best</c> (liblz4 when installed, else the
    /// managed port), <c>liblz4</c> or <c>k4os</c>.</summary>
    public string Lz4Engine { get; init; } = "best";

    /// <summary>Queues the device offers (key <c>queues</c>, 1..1024).</summary>
    public int Queues { get; init; } = 16;

    /// <summary>Free queues kept for users that hold none of this device's queues (key <c>reserved_queues</c>,
    /// 0..<see cref="Queues"/>; default 1): a user (uid) that already holds a queue of the device may take another
    /// only while more than this many are free, so one user cannot take the last free queue(s) and lock every other
    /// user out of the device. 0 lets one user take every queue.</summary>
    public int ReservedQueues { get; init; } = 1;

    /// <summary>Ring depth of every queue (key <c>queue_depth</c>, a power of two 2..4096).</summary>
    public int QueueDepth { get; init; } = 256;

    /// <summary>Workers: the threads that serve the queues (key <c>workers</c>, 1..64, or its deprecated alias <c>engines</c>; default <see cref="DefaultWorkers"/>).</summary>
    public int Workers { get; init; } = DefaultWorkers;

    /// <summary>Whether the configuration named <see cref="Workers"/> by its deprecated key <c>engines</c> (the broker
    /// warns once at start-up).</summary>
    public bool WorkersFromEnginesKey { get; init; }

    /// <summary>Stream contexts one queue may hold (key <c>max_streams_per_queue</c>, 0..1024).</summary>
    public int MaxStreamsPerQueue { get; init; } = 32;

    /// <summary>NUMA node reported as <c>numa_node</c> (key <c>numa_node</c>, -1 for none, or a node number).</summary>
    public int NumaNode { get; init; } = -1;

    /// <summary>Memory models offered (key <c>memory</c>: <c>"sva"</c>, <c>"share"</c> or <c>"sva+share"</c>).</summary>
    public DeviceMemoryModes Memory { get; init; } = DeviceMemoryModes.Sva | DeviceMemoryModes.Share;

    /// <summary>Device-level faults per hour tolerated before the device is isolated (key <c>isolate_strategy</c>,
    /// 0..1000000; 0 never isolates). Initial value of the writable <c>isolate_strategy</c> attribute.</summary>
    public int IsolateStrategy { get; init; }

    /// <summary>Permission bits of the device socket <c>&lt;run&gt;/dev/&lt;name&gt;</c> (key <c>socket_mode</c>, an
    /// octal string <c>"0600"</c>..<c>"0777"</c>; default <c>"0666"</c>).</summary>
    public uint SocketMode { get; init; } = DefaultSocketMode;

    /// <summary>Group that owns the device socket (key <c>socket_group</c>: a group name or a numeric gid; null keeps
    /// the broker's group).</summary>
    public string? SocketGroup { get; init; }

    /// <summary>Debugging aid (key <c>fault_injection</c>): when N &gt; 0, every Nth request fails as a device
    /// fault; 0 (default) is off.</summary>
    public int FaultInjection { get; init; }

    /// <summary>Default socket mode, octal 0666.</summary>
    public const uint DefaultSocketMode = 0b110_110_110;

    /// <summary>Default worker count: half the cores, at least 1, at most 4.</summary>
    public static int DefaultWorkers => Math.Clamp(Environment.ProcessorCount / 2, 1, 4);
}
