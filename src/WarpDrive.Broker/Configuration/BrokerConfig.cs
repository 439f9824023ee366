namespace WarpDrive.Broker.Configuration;

/// <summary>The broker's configuration (<c>wdd.json</c>): the devices it hosts and the limits it enforces.</summary>
/// <remarks>
/// <para>The file is JSON with snake_case keys; <c>//</c> and <c>/* */</c> comments and trailing commas are allowed.
/// An unknown or repeated key is an error, and so is a value of the wrong type or out of range: the broker refuses to
/// start rather than run with a setting it did not understand. Every error is a <see cref="ConfigException"/> whose
/// one-line message names the file and the JSON path, e.g.
/// <c>wdd.json: devices[1].queue_depth: must be a power of two between 2 and 4096 (got 100)</c>.
/// docs/BROKER-CONFIG.md has the same table with an example.</para>
/// <para>Top level (every key optional; <c>scheduling</c> below): <c>devices</c> (array of device objects, at least one; when the key is
/// absent the broker hosts one <c>zip</c> device named <c>zip-0</c> with all defaults) and <c>limits</c> (object;
/// absent means every limit at its default).</para>
/// <para>Device keys (<see cref="DeviceConfig"/>):</para>
/// <list type="table">
/// <listheader><term>key</term><description>type, range, default</description></listheader>
/// <item><term><c>name</c></term><description>string, required: <c>^[a-z][a-z0-9_-]{0,31}-[0-9]+$</c> such as
/// <c>zip-0</c>, unique. The socket is <c>&lt;run&gt;/dev/&lt;name&gt;</c>, the attributes
/// <c>&lt;run&gt;/class/uacce/&lt;name&gt;/</c>.</description></item>
/// <item><term><c>model</c></term><description>string: <c>"zip"</c> (compression), <c>"sec"</c> (ciphers,
/// digests, AEAD) or <c>"hpre"</c> (RSA, DH, ECC). Default <c>"zip"</c>.</description></item>
/// <item><term><c>engine</c></term><description>string: <c>"best"</c> (ISA-L when libisal2 is installed, else the
/// system zlib), <c>"isal"</c> or <c>"zlib"</c> (alias <c>"zlib-ng"</c>); ZIP only. Default <c>"best"</c>.</description></item>
/// <item><term><c>queues</c></term><description>integer 1..1024: queues the device offers
/// (<c>available_instances</c> when none is open). Default 16.</description></item>
/// <item><term><c>queue_depth</c></term><description>integer, a power of two 2..4096: ring slots per queue.
/// Default 256.</description></item>
/// <item><term><c>workers</c></term><description>integer 1..64: workers, the threads serving the queues (<c>engines</c>, its old name, is still read, with a warning). Default half the
/// cores, at least 1, at most 4.</description></item>
/// <item><term><c>max_streams_per_queue</c></term><description>integer 0..1024: stream contexts one queue may hold.
/// Default 32.</description></item>
/// <item><term><c>numa_node</c></term><description>integer, -1 (no node) or &gt;= 0: reported as
/// <c>numa_node</c>. Default -1.</description></item>
/// <item><term><c>memory</c></term><description>string: <c>"sva"</c>, <c>"share"</c> or <c>"sva+share"</c>: the
/// memory models offered (<c>flags</c> SVA, SHARE). Default <c>"sva+share"</c>.</description></item>
/// <item><term><c>isolate_strategy</c></term><description>integer 0..1000000: device-level faults per hour tolerated
/// before the device is isolated; 0 never isolates. The initial value of the writable <c>isolate_strategy</c>
/// attribute. Default 0.</description></item>
/// <item><term><c>socket_mode</c></term><description>string, octal <c>"0600"</c>..<c>"0777"</c>: permission bits of
/// the device socket, which decide who may open the device. Default <c>"0666"</c>.</description></item>
/// <item><term><c>socket_group</c></term><description>string or null: group name or numeric gid that owns the
/// device socket. Default null (the broker's own group).</description></item>
/// <item><term><c>fault_injection</c></term><description>integer &gt;= 0: a debugging aid; N &gt; 0 makes every Nth
/// request fail as a device fault. Default 0 (off).</description></item>
/// <item><term><c>reserved_queues</c></term><description>integer 0..<c>queues</c>: free queues kept for users that
/// hold none of the device's queues. A uid that holds a queue of the device may take another only while more than
/// this many are free (else <c>NO_QUEUE</c>, or with <c>WAIT</c> it waits until it may); 0 lets one uid take every
/// queue. Default 1.</description></item>
/// </list>
/// <para>Limits keys (<see cref="LimitsConfig"/>); a size is a byte count (a JSON integer or a string) with an
/// optional suffix <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c> (also <c>K</c>, <c>M</c>, <c>G</c>, <c>T</c>,
/// <c>B</c>; all powers of 1024):</para>
/// <list type="table">
/// <listheader><term>key</term><description>type, range, default</description></listheader>
/// <item><term><c>max_queues_per_user</c></term><description>integer &gt;= 1: queues one uid may hold on all
/// devices together. Default 64.</description></item>
/// <item><term><c>max_shared_bytes_per_user</c></term><description>size &gt;= 4096: shared-region bytes one uid may
/// hold (like RLIMIT_MEMLOCK). Default <c>"256MiB"</c>.</description></item>
/// <item><term><c>queue_error_threshold</c></term><description>integer &gt;= 1: error completions before a queue is
/// disabled. Default 64.</description></item>
/// <item><term><c>max_request_bytes</c></term><description>size 4096..4294967295: most input and output one request of
/// a broker client may name, shared memory or SVA. Default <c>"64MiB"</c>.</description></item>
/// <item><term><c>max_regions_per_user</c></term><description>integer &gt;= 1: shared regions one user may hold
/// (each is a mapping in the broker). Default 4096.</description></item>
/// <item><term><c>max_clients</c></term><description>integer &gt;= 1: client connections accepted at once.
/// Default 1024.</description></item>
/// <item><term><c>max_connections_per_user</c></term><description>integer &gt;= 1: client connections one user may
/// hold at once. Default 256.</description></item>
/// </list>
/// <para>Scheduling keys (<see cref="SchedulingConfig"/>): how each device's workers share their time between users.</para>
/// <list type="table">
/// <listheader><term>key</term><description>type, range, default</description></listheader>
/// <item><term><c>quantum_us</c></term><description>integer 10..100000: worker time, in microseconds, a user of
/// weight 1 gets per turn while others wait. Default 1000.</description></item>
/// <item><term><c>bulk_threshold</c></term><description>size, 0 or 4096..max_request_bytes: a request naming more input
/// (or four times more output room) runs on the device's bulk lane, not a worker; 0 runs everything on the workers.
/// Default <c>"256KiB"</c>.</description></item>
/// <item><term><c>default_weight</c></term><description>integer 1..1000: weight of a user not in <c>weights</c>.
/// Default 1.</description></item>
/// <item><term><c>weights</c></term><description>object, numeric uid (as a string) to integer 1..1000: a user's share
/// of worker time relative to others with work. Default none.</description></item>
/// <item><term><c>max_share</c></term><description>object, numeric uid (as a string) to integer 1..100: the most percent
/// of each worker's time (and the bulk lane's) the user may take, even when no one else wants it. Default none.</description></item>
/// </list>
/// </remarks>
public sealed class BrokerConfig
{
    /// <summary>Creates a configuration and checks it as <see cref="Parse"/> would.</summary>
    /// <exception cref="ConfigException">A device or limit is out of range, a name is repeated or there is no device;
    /// the message names the source <c>BrokerConfig</c>.</exception>
    public BrokerConfig(IReadOnlyList<DeviceConfig> devices, LimitsConfig limits)
        : this(devices, limits, new SchedulingConfig(), nameof(BrokerConfig))
    {
    }

    /// <summary>Creates a configuration with a scheduling section and checks it as <see cref="Parse"/> would.</summary>
    /// <exception cref="ConfigException">A device, limit or scheduling value is out of range, a name is repeated or
    /// there is no device.</exception>
    public BrokerConfig(IReadOnlyList<DeviceConfig> devices, LimitsConfig limits, SchedulingConfig scheduling)
        : this(devices, limits, scheduling, nameof(BrokerConfig))
    {
    }

    internal BrokerConfig(IReadOnlyList<DeviceConfig> devices, LimitsConfig limits, SchedulingConfig scheduling, string source)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(scheduling);
        DeviceConfig[] copy = [.. devices];
        Validate(copy, limits, source);
        Check(source, "scheduling.quantum_us", ConfigRules.QuantumMicroseconds(scheduling.QuantumMicroseconds));
        Check(source, "scheduling.bulk_threshold", ConfigRules.BulkThreshold(scheduling.BulkThresholdBytes));
        Check(source, "scheduling.default_weight", ConfigRules.Weight(scheduling.DefaultWeight));
        foreach ((uint uid, int weight) in scheduling.Weights)
        {
            Check(source, $"scheduling.weights.{uid}", ConfigRules.Weight(weight));
        }

        foreach ((uint uid, int percent) in scheduling.MaxShares)
        {
            Check(source, $"scheduling.max_share.{uid}", ConfigRules.SharePercent(percent));
        }

        Devices = copy.AsReadOnly();
        Limits = limits;
        Scheduling = scheduling;
    }

    /// <summary>How the workers share their time between users.</summary>
    public SchedulingConfig Scheduling { get; }

    /// <summary>The devices to host, in file order; at least one, names unique.</summary>
    public IReadOnlyList<DeviceConfig> Devices { get; }

    /// <summary>The limits.</summary>
    public LimitsConfig Limits { get; }

    /// <summary>One <c>zip</c> device named <c>zip-0</c> and every limit at its default: what the broker runs without
    /// a config file.</summary>
    public static BrokerConfig Default { get; } = new([new DeviceConfig("zip-0")], new LimitsConfig());

    /// <summary>Reads and checks the config file at <paramref name="path"/>.</summary>
    /// <exception cref="ConfigException">The file is missing or unreadable, or its content is not a valid
    /// configuration (see <see cref="Parse"/>).</exception>
    public static BrokerConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, $"config file '{path}' not found", e);
        }
        catch (UnauthorizedAccessException e) when (Directory.Exists(path))
        {
            throw new ConfigException(path, null, null, $"config file '{path}' is a directory", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(path, null, null, $"config file '{path}' cannot be read: {e.Message}", e);
        }

        return Parse(json, path);
    }

    /// <summary>Parses and checks a configuration; <paramref name="source"/> names it in error messages (usually the
    /// file's path).</summary>
    /// <exception cref="ConfigException">Invalid JSON, an unknown or repeated key, a missing device name, a value of
    /// the wrong type or out of range.</exception>
    public static BrokerConfig Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        return ConfigParser.Parse(json, source);
    }

    private static void Validate(DeviceConfig[] devices, LimitsConfig limits, string source)
    {
        if (devices.Length == 0)
        {
            throw ConfigException.AtPath(source, "devices", "at least one device is required");
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < devices.Length; i++)
        {
            string at = $"devices[{i}]";
            DeviceConfig d = devices[i] ?? throw ConfigException.AtPath(source, at, "must be a device (got null)");
            Check(source, at + ".name", ConfigRules.Name(d.Name));
            if (!names.TryAdd(d.Name, i))
            {
                throw ConfigException.AtPath(source, at + ".name", $"device name '{d.Name}' is already used by devices[{names[d.Name]}]");
            }

            Check(source, at + ".model", ConfigRules.Model(d.Model));
            Check(source, at + ".engine", ConfigRules.Engine(d.Engine));
            Check(source, at + ".zstd_engine", ConfigRules.ZstdEngine(d.ZstdEngine));
            Check(source, at + ".lz4_engine", ConfigRules.Lz4Engine(d.Lz4Engine));
            Check(source, at + ".queues", ConfigRules.Queues(d.Queues));
            Check(source, at + ".queue_depth", ConfigRules.QueueDepth(d.QueueDepth));
            Check(source, at + ".workers", ConfigRules.WorkerCount(d.Workers));
            Check(source, at + ".max_streams_per_queue", ConfigRules.StreamsPerQueue(d.MaxStreamsPerQueue));
            Check(source, at + ".numa_node", ConfigRules.NumaNode(d.NumaNode));
            Check(source, at + ".memory", ConfigRules.Memory(d.Memory));
            Check(source, at + ".isolate_strategy", ConfigRules.IsolateStrategy(d.IsolateStrategy));
            Check(source, at + ".socket_mode", ConfigRules.SocketMode(d.SocketMode));
            Check(source, at + ".socket_group", ConfigRules.SocketGroup(d.SocketGroup));
            Check(source, at + ".fault_injection", ConfigRules.FaultInjection(d.FaultInjection));
            Check(source, at + ".reserved_queues", ConfigRules.ReservedQueues(d.ReservedQueues, d.Queues));
        }

        Check(source, "limits.max_queues_per_user", ConfigRules.Positive(limits.MaxQueuesPerUser));
        Check(source, "limits.max_shared_bytes_per_user", ConfigRules.SharedBytes(limits.MaxSharedBytesPerUser));
        Check(source, "limits.queue_error_threshold", ConfigRules.Positive(limits.QueueErrorThreshold));
        Check(source, "limits.max_request_bytes", ConfigRules.RequestBytes(limits.MaxRequestBytes));
        Check(source, "limits.max_clients", ConfigRules.Positive(limits.MaxClients));
        Check(source, "limits.max_regions_per_user", ConfigRules.Positive(limits.MaxRegionsPerUser));
        Check(source, "limits.max_connections_per_user", ConfigRules.Positive(limits.MaxConnectionsPerUser));
    }

    private static void Check(string source, string path, string? error)
    {
        if (error is not null)
        {
            throw ConfigException.AtPath(source, path, error);
        }
    }
}
