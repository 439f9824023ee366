using WarpDrive.Broker.Configuration;

namespace WarpDrive.Tests.Broker;

public sealed class ConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ConfigException Fails(string json) => Assert.Throws<ConfigException>(() => BrokerConfig.Parse(json, "wdd.json"));

    private static string Device(string extra) => $$"""{ "devices": [ { "name": "zip-0"{{extra}} } ] }""";

    [Fact]
    public void DefaultIsOneZipDeviceWithEveryDefault()
    {
        BrokerConfig config = BrokerConfig.Default;
        DeviceConfig d = Assert.Single(config.Devices);
        Assert.Equal("zip-0", d.Name);
        Assert.Equal("zip", d.Model);
        Assert.Equal("best", d.Engine);
        Assert.Equal(16, d.Queues);
        Assert.Equal(256, d.QueueDepth);
        Assert.Equal(Math.Clamp(Environment.ProcessorCount / 2, 1, 4), d.Workers);
        Assert.Equal(32, d.MaxStreamsPerQueue);
        Assert.Equal(-1, d.NumaNode);
        Assert.Equal(DeviceMemoryModes.Sva | DeviceMemoryModes.Share, d.Memory);
        Assert.Equal(0, d.IsolateStrategy);
        Assert.Equal(Convert.ToUInt32("666", 8), d.SocketMode);
        Assert.Null(d.SocketGroup);
        Assert.Equal(0, d.FaultInjection);
        Assert.Equal(1, d.ReservedQueues);
        Assert.Equal(3, BrokerConfig.Parse("""{ "devices": [ { "name": "zip-0", "queues": 3, "reserved_queues": 3 } ] }""", "wdd.json").Devices[0].ReservedQueues);

        LimitsConfig l = config.Limits;
        Assert.Equal(64, l.MaxQueuesPerUser);
        Assert.Equal(256L << 20, l.MaxSharedBytesPerUser);
        Assert.Equal(64, l.QueueErrorThreshold);
        Assert.Equal(64L << 20, l.MaxRequestBytes);
        Assert.Equal(1024, l.MaxClients);
        Assert.Equal(4096, l.MaxRegionsPerUser);
        Assert.Equal(256, l.MaxConnectionsPerUser);
        Assert.Equal(7, BrokerConfig.Parse("""{ "limits": { "max_regions_per_user": 7 } }""", "wdd.json").Limits.MaxRegionsPerUser);
        Assert.Equal(9, BrokerConfig.Parse("""{ "limits": { "max_connections_per_user": 9 } }""", "wdd.json").Limits.MaxConnectionsPerUser);
    }

    [Fact]
    public void EmptyObjectAndADeviceWithOnlyANameAreTheDefault()
    {
        Assert.Equal(BrokerConfig.Default.Devices, BrokerConfig.Parse("{}", "wdd.json").Devices);
        Assert.Equal(BrokerConfig.Default.Limits, BrokerConfig.Parse("{}", "wdd.json").Limits);
        BrokerConfig config = BrokerConfig.Parse("""{ "devices": [ { "name": "zip-0" } ], "limits": {} }""", "wdd.json");
        Assert.Equal(BrokerConfig.Default.Devices, config.Devices);
        Assert.Equal(BrokerConfig.Default.Limits, config.Limits);
    }

    [Fact]
    public void TheDeprecatedEnginesKeyStillSetsTheWorkersAndIsMarked()
    {
        BrokerConfig config = BrokerConfig.Parse("""{ "devices": [ { "name": "zip-0", "engines": 3 }, { "name": "zip-1", "workers": 2 } ] }""", "wdd.json");
        Assert.Equal((3, true), (config.Devices[0].Workers, config.Devices[0].WorkersFromEnginesKey));
        Assert.Equal((2, false), (config.Devices[1].Workers, config.Devices[1].WorkersFromEnginesKey));
    }

    [Fact]
    public void EveryKeyIsRead()
    {
        const string json = """
            // the broker's config
            {
              "devices": [
                { "name": "zip-0", "model": "zip", "engine": "zlib-ng", "queues": 8, "queue_depth": 1024, "workers": 3,
                  "max_streams_per_queue": 0, "numa_node": 1, "memory": "share", "isolate_strategy": 10,
                  "socket_mode": "0660", "socket_group": "warpdrive", "fault_injection": 7, },
                /* a second device */
                { "name": "zip-1", "engine": "isal", "memory": "sva", "socket_group": "1234", "zstd_engine": "zstdsharp", "lz4_engine": "liblz4" },
                { "name": "zip_fast-12", "memory": "sva+share", "socket_group": null, "socket_mode": "600" },
              ],
              "limits": { "max_queues_per_user": 3, "max_shared_bytes_per_user": "1GiB", "queue_error_threshold": 5,
                          "max_request_bytes": 65536, "max_clients": 9 },
            }
            """;
        BrokerConfig config = BrokerConfig.Parse(json, "wdd.json");
        Assert.Equal(3, config.Devices.Count);
        Assert.Equal(new DeviceConfig("zip-0")
        {
            Engine = "zlib-ng",
            Queues = 8,
            QueueDepth = 1024,
            Workers = 3,
            MaxStreamsPerQueue = 0,
            NumaNode = 1,
            Memory = DeviceMemoryModes.Share,
            IsolateStrategy = 10,
            SocketMode = Convert.ToUInt32("660", 8),
            SocketGroup = "warpdrive",
            FaultInjection = 7,
        }, config.Devices[0]);
        Assert.Equal(new DeviceConfig("zip-1")
        {
            Engine = "isal", Memory = DeviceMemoryModes.Sva, SocketGroup = "1234", ZstdEngine = "zstdsharp", Lz4Engine = "liblz4",
        }, config.Devices[1]);
        Assert.Equal(new DeviceConfig("zip_fast-12") { SocketMode = Convert.ToUInt32("600", 8) }, config.Devices[2]);
        Assert.Equal(new LimitsConfig
        {
            MaxQueuesPerUser = 3,
            MaxSharedBytesPerUser = 1L << 30,
            QueueErrorThreshold = 5,
            MaxRequestBytes = 65536,
            MaxClients = 9,
        }, config.Limits);
    }

    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("64KiB", 64L << 10)]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("2TiB", 2L << 40)]
    [InlineData("8 MiB", 8L << 20)]
    [InlineData("8mib", 8L << 20)]
    [InlineData("16M", 16L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("8192B", 8192L)]
    public void SizesAreParsed(string text, long bytes)
    {
        BrokerConfig config = BrokerConfig.Parse($$"""{ "limits": { "max_shared_bytes_per_user": "{{text}}" } }""", "wdd.json");
        Assert.Equal(bytes, config.Limits.MaxSharedBytesPerUser);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MiB")]
    [InlineData("1.5GiB")]
    [InlineData("-4096")]
    [InlineData("64KB")]
    [InlineData("64 XiB")]
    [InlineData("99999999999999999999")]
    [InlineData("9999999999TiB")]
    public void BadSizesAreRefused(string text)
    {
        ConfigException e = Fails($$"""{ "limits": { "max_request_bytes": "{{text}}" } }""");
        Assert.StartsWith("wdd.json: limits.max_request_bytes: must be a size such as 4096, \"64KiB\"", e.Message);
        Assert.Equal("limits.max_request_bytes", e.JsonPath);
    }

    public static TheoryData<string, string> BadConfigs() => new()
    {
        // top level
        { "[]", "wdd.json: the top level must be a JSON object (got an array)" },
        { """{ "devices": {} }""", "wdd.json: devices: must be an array of devices (got an object)" },
        { """{ "devices": [] }""", "wdd.json: devices: at least one device is required" },
        { """{ "devices": [ 3 ] }""", "wdd.json: devices[0]: must be an object (got 3)" },
        { """{ "limits": [] }""", "wdd.json: limits: must be an object (got an array)" },
        // names
        { """{ "devices": [ { "queues": 4 } ] }""", "wdd.json: devices[0]: missing required key 'name'" },
        { """{ "devices": [ { "name": "zip" } ] }""", "wdd.json: devices[0].name: must be a device name such as 'zip-0'" },
        { """{ "devices": [ { "name": "Zip-0" } ] }""", "(got 'Zip-0')" },
        { """{ "devices": [ { "name": "0zip-0" } ] }""", "wdd.json: devices[0].name: must be a device name" },
        { """{ "devices": [ { "name": "zip-0x" } ] }""", "wdd.json: devices[0].name: must be a device name" },
        { """{ "devices": [ { "name": "z/../x-0" } ] }""", "wdd.json: devices[0].name: must be a device name" },
        { """{ "devices": [ { "name": "abcdefghijklmnopqrstuvwxyz0123456-0" } ] }""", "wdd.json: devices[0].name: must be a device name" },
        { """{ "devices": [ { "name": 5 } ] }""", "wdd.json: devices[0].name: must be a string (got 5)" },
        { """{ "devices": [ { "name": "zip-0" }, { "name": "zip-1" }, { "name": "zip-0" } ] }""",
            "wdd.json: devices[2].name: device name 'zip-0' is already used by devices[0]" },
        // device values
        { Device(""", "model": "rng" """), "wdd.json: devices[0].model: model 'rng' is not supported (zip, sec, hpre)" },
        { Device(""", "engine": "zstd" """), "wdd.json: devices[0].engine: engine 'zstd' is not supported (best, isal, zlib, zlib-ng)" },
        { Device(""", "zstd_engine": "zlib" """), "wdd.json: devices[0].zstd_engine: zstd engine 'zlib' is not supported (best, libzstd, zstdsharp)" },
        { Device(""", "lz4_engine": 4 """), "wdd.json: devices[0].lz4_engine: must be a string (got 4)" },
        { Device(""", "queues": 0 """), "wdd.json: devices[0].queues: must be between 1 and 1024 (got 0)" },
        { Device(""", "queues": 1025 """), "wdd.json: devices[0].queues: must be between 1 and 1024 (got 1025)" },
        { Device(""", "queues": "16" """), "wdd.json: devices[0].queues: must be an integer (got \"16\")" },
        { Device(""", "queues": 1.5 """), "wdd.json: devices[0].queues: must be an integer (got 1.5)" },
        { Device(""", "queues": null """), "wdd.json: devices[0].queues: must be an integer (got null)" },
        { Device(""", "queues": 99999999999999999999 """), "wdd.json: devices[0].queues: must be an integer (got 99999999999999999999)" },
        { Device(""", "queues": 4294967312 """), "wdd.json: devices[0].queues: must be between 1 and 1024 (got 4294967312)" },
        { Device(""", "queue_depth": 100 """), "wdd.json: devices[0].queue_depth: must be a power of two between 2 and 4096 (got 100)" },
        { Device(""", "queue_depth": 1 """), "wdd.json: devices[0].queue_depth: must be a power of two between 2 and 4096 (got 1)" },
        { Device(""", "queue_depth": 8192 """), "wdd.json: devices[0].queue_depth: must be a power of two between 2 and 4096 (got 8192)" },
        { Device(""", "workers": 0 """), "wdd.json: devices[0].workers: must be between 1 and 64 (got 0)" },
        { Device(""", "workers": 65 """), "wdd.json: devices[0].workers: must be between 1 and 64 (got 65)" },
        { Device(""", "engines": 65 """), "wdd.json: devices[0].engines: must be between 1 and 64 (got 65)" },
        { Device(""", "workers": 2, "engines": 2 """), "wdd.json: devices[0].engines: is the deprecated name of 'workers': give only 'workers'" },
        { Device(""", "max_streams_per_queue": -1 """), "wdd.json: devices[0].max_streams_per_queue: must be between 0 and 1024 (got -1)" },
        { Device(""", "max_streams_per_queue": 1025 """), "wdd.json: devices[0].max_streams_per_queue: must be between 0 and 1024 (got 1025)" },
        { Device(""", "numa_node": -2 """), "wdd.json: devices[0].numa_node: must be -1 (no node) or a node number >= 0 (got -2)" },
        { Device(""", "memory": "none" """), "wdd.json: devices[0].memory: must be \"sva\", \"share\" or \"sva+share\" (got \"none\")" },
        { Device(""", "memory": 3 """), "wdd.json: devices[0].memory: must be \"sva\", \"share\" or \"sva+share\" (got 3)" },
        { Device(""", "isolate_strategy": -1 """), "wdd.json: devices[0].isolate_strategy: must be between 0 (never isolate) and 1000000 errors per hour (got -1)" },
        { Device(""", "isolate_strategy": 1000001 """), "wdd.json: devices[0].isolate_strategy: must be between 0 (never isolate) and 1000000 errors per hour (got 1000001)" },
        { Device(""", "reserved_queues": -1 """), "wdd.json: devices[0].reserved_queues: must be between 0 and 1024 (got -1)" },
        { Device(""", "queues": 4, "reserved_queues": 5 """), "wdd.json: devices[0].reserved_queues: must be between 0 and the device's queues (4) (got 5)" },
        { Device(""", "socket_mode": "0444" """), "wdd.json: devices[0].socket_mode: must be an octal mode between \"0600\" and \"0777\" (got \"0444\")" },
        { Device(""", "socket_mode": "0888" """), "wdd.json: devices[0].socket_mode: must be an octal string between \"0600\" and \"0777\" (got \"0888\")" },
        { Device(""", "socket_mode": "1777" """), "wdd.json: devices[0].socket_mode: must be an octal string" },
        { Device(""", "socket_mode": 666 """), "wdd.json: devices[0].socket_mode: must be an octal string between \"0600\" and \"0777\" (got 666)" },
        { Device(""", "socket_group": "wheel group" """), "wdd.json: devices[0].socket_group: must be a group name or a numeric gid (got 'wheel group')" },
        { Device(""", "socket_group": 10 """), "wdd.json: devices[0].socket_group: must be a string (got 10)" },
        { Device(""", "fault_injection": -3 """), "wdd.json: devices[0].fault_injection: must be 0 (off) or N >= 1 to fail every Nth request (got -3)" },
        { """{ "devices": [ { "name": "zip-0" }, { "name": "zip-1", "queue_depth": 100 } ] }""",
            "wdd.json: devices[1].queue_depth: must be a power of two between 2 and 4096 (got 100)" },
        // limits
        { """{ "limits": { "max_queues_per_user": 0 } }""", "wdd.json: limits.max_queues_per_user: must be between 1 and 2147483647 (got 0)" },
        { """{ "limits": { "max_shared_bytes_per_user": "1KiB" } }""", "wdd.json: limits.max_shared_bytes_per_user: must be at least 4096 bytes (got 1024)" },
        { """{ "limits": { "max_shared_bytes_per_user": 4095 } }""", "wdd.json: limits.max_shared_bytes_per_user: must be at least 4096 bytes (got 4095)" },
        { """{ "limits": { "queue_error_threshold": 0 } }""", "wdd.json: limits.queue_error_threshold: must be between 1 and 2147483647 (got 0)" },
        { """{ "limits": { "max_request_bytes": "4GiB" } }""", "wdd.json: limits.max_request_bytes: must be between 4096 and 4294967295 bytes (got 4294967296)" },
        { """{ "limits": { "max_request_bytes": 100 } }""", "wdd.json: limits.max_request_bytes: must be between 4096 and 4294967295 bytes (got 100)" },
        { """{ "limits": { "max_request_bytes": true } }""", "wdd.json: limits.max_request_bytes: must be a size such as 4096, \"64KiB\", \"256MiB\" or \"1GiB\" (got true)" },
        { """{ "limits": { "max_clients": 0 } }""", "wdd.json: limits.max_clients: must be between 1 and 2147483647 (got 0)" },
        { """{ "limits": { "max_clients": -5 } }""", "wdd.json: limits.max_clients: must be between 1 and 2147483647 (got -5)" },
        { """{ "limits": { "max_regions_per_user": 0 } }""", "wdd.json: limits.max_regions_per_user: must be between 1 and 2147483647 (got 0)" },
        { """{ "limits": { "max_connections_per_user": 0 } }""", "wdd.json: limits.max_connections_per_user: must be between 1 and 2147483647 (got 0)" },
        // scheduling
        { """{ "scheduling": [] }""", "wdd.json: scheduling: must be an object (got an array)" },
        { """{ "scheduling": { "quantum_us": 5 } }""", "wdd.json: scheduling.quantum_us: must be between 10 and 100000 (got 5)" },
        { """{ "scheduling": { "bulk_threshold": "1KiB" } }""", "wdd.json: scheduling.bulk_threshold: must be 0 (off) or between 4096 and 4294967295 bytes (got 1024)" },
        { """{ "scheduling": { "default_weight": 0 } }""", "wdd.json: scheduling.default_weight: must be between 1 and 1000 (got 0)" },
        { """{ "scheduling": { "weights": [] } }""", "wdd.json: scheduling.weights: must be an object of uid: weight (got an array)" },
        { """{ "scheduling": { "weights": { "alice": 2 } } }""", "wdd.json: scheduling.weights.alice: a key must be a numeric uid (got 'alice')" },
        { """{ "scheduling": { "weights": { "-1": 2 } } }""", "wdd.json: scheduling.weights.-1: a key must be a numeric uid (got '-1')" },
        { """{ "scheduling": { "weights": { "1000": 1001 } } }""", "wdd.json: scheduling.weights.1000: must be between 1 and 1000 (got 1001)" },
        { """{ "scheduling": { "weights": { "1000": 2, "01000": 3 } } }""", "wdd.json: scheduling.weights.01000: uid 1000 is named twice" },
        { """{ "scheduling": { "max_share": { "1000": 0 } } }""", "wdd.json: scheduling.max_share.1000: must be between 1 and 100 (got 0)" },
        { """{ "scheduling": { "max_share": { "1000": 101 } } }""", "wdd.json: scheduling.max_share.1000: must be between 1 and 100 (got 101)" },
        { """{ "scheduling": { "max_share": 50 } }""", "wdd.json: scheduling.max_share: must be an object of uid: percent (got 50)" },
    };

    [Fact]
    public void SchedulingIsReadAndDefaultsHold()
    {
        BrokerConfig config = BrokerConfig.Parse("""
            { "scheduling": { "quantum_us": 500, "bulk_threshold": "1MiB", "default_weight": 2, "weights": { "1000": 3, "0": 7 }, "max_share": { "1000": 40 } } }
            """, "wdd.json");
        Assert.Equal(40, config.Scheduling.MaxShareOf(1000));
        Assert.Equal(100, config.Scheduling.MaxShareOf(0));
        Assert.Equal(500, config.Scheduling.QuantumMicroseconds);
        Assert.Equal(1L << 20, config.Scheduling.BulkThresholdBytes);
        Assert.Equal(3, config.Scheduling.WeightOf(1000));
        Assert.Equal(7, config.Scheduling.WeightOf(0));
        Assert.Equal(2, config.Scheduling.WeightOf(65534));
        Assert.Equal(0, BrokerConfig.Parse("""{ "scheduling": { "bulk_threshold": 0 } }""", "wdd.json").Scheduling.BulkThresholdBytes);
        SchedulingConfig defaults = BrokerConfig.Default.Scheduling;
        Assert.Equal(1000, defaults.QuantumMicroseconds);
        Assert.Equal(256L << 10, defaults.BulkThresholdBytes);
        Assert.Equal(1, defaults.WeightOf(1000));
    }

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void BadValuesAreRefusedWithFileAndPath(string json, string expected)
    {
        ConfigException e = Fails(json);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal("wdd.json", e.ConfigSource);
    }

    [Fact]
    public void UnknownKeyNamesItsLineAndSuggests()
    {
        const string json = "{\n  \"devices\": [\n    { \"name\": \"zip-0\",\n      \"queus\": 4 }\n  ]\n}\n";
        ConfigException e = Fails(json);
        Assert.Equal("wdd.json: line 4: unknown key 'queus' in devices[0] (did you mean 'queues'?)", e.Message);
        Assert.Equal(4, e.Line);
        Assert.Equal("devices[0].queus", e.JsonPath);
    }

    [Theory]
    [InlineData("{ \"device\": [] }", "wdd.json: line 1: unknown key 'device' (did you mean 'devices'?)")]
    [InlineData("{\n\"limits\": {\n\"MaxClients\": 3 } }", "wdd.json: line 3: unknown key 'MaxClients' in limits (did you mean 'max_clients'?)")]
    [InlineData("{\n\"limits\": {\n\n\"max_clients\": 3,\n \"timeout\": 3 } }", "wdd.json: line 5: unknown key 'timeout' in limits")]
    [InlineData("{ \"devices\": [ {\"name\": \"zip-0\"},\n{\"name\": \"zip-1\",\n\"Queues\": 1} ] }", "wdd.json: line 3: unknown key 'Queues' in devices[1] (did you mean 'queues'?)")]
    [InlineData("{ \"limits\": {},\n \"limits\": {} }", "wdd.json: line 2: duplicate key 'limits'")]
    [InlineData("{ \"devices\": [ {\"name\": \"zip-0\",\n\n \"queues\": 1,\n\"queues\": 2} ] }", "wdd.json: line 4: duplicate key 'queues' in devices[0]")]
    public void UnknownAndDuplicateKeysAreRefusedWithTheirLine(string json, string expected)
    {
        Assert.Equal(expected, Fails(json).Message);
    }

    [Theory]
    [InlineData("{\n  \"devices\": [\n    { \"name\" \"zip-0\" }\n  ]\n}", "wdd.json: line 3, column 14: invalid JSON: ")]
    [InlineData("{\n  \"limits\": { \"max_clients\": 3 }\n", "wdd.json: line 3, column 1: invalid JSON: ")]
    [InlineData("", "wdd.json: line 1, column 1: invalid JSON: ")]
    [InlineData("{ \"limits\": { \"max_clients\": 03 } }", "wdd.json: line 1, column 31: invalid JSON: ")]
    public void SyntaxErrorsNameLineAndColumn(string json, string prefix)
    {
        ConfigException e = Fails(json);
        Assert.StartsWith(prefix, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length > prefix.Length + 5, e.Message);
    }

    [Fact]
    public void LoadReadsAFileAndNamesItInErrors()
    {
        string path = Path.Combine(_dir, "wdd.json");
        File.WriteAllText(path, "\uFEFF{ \"devices\": [ { \"name\": \"zip-3\", \"queues\": 2 } ] }");
        BrokerConfig config = BrokerConfig.Load(path);
        Assert.Equal("zip-3", config.Devices[0].Name);
        Assert.Equal(2, config.Devices[0].Queues);

        File.WriteAllText(path, "{ \"devices\": [ { \"name\": \"zip-3\", \"queues\": 2000 } ] }");
        ConfigException e = Assert.Throws<ConfigException>(() => BrokerConfig.Load(path));
        Assert.Equal($"{path}: devices[0].queues: must be between 1 and 1024 (got 2000)", e.Message);
    }

    [Fact]
    public void MissingFileIsAClearError()
    {
        string path = Path.Combine(_dir, "nope.json");
        ConfigException e = Assert.Throws<ConfigException>(() => BrokerConfig.Load(path));
        Assert.Equal($"config file '{path}' not found", e.Message);

        e = Assert.Throws<ConfigException>(() => BrokerConfig.Load(Path.Combine(_dir, "no-dir", "wdd.json")));
        Assert.EndsWith("' not found", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<ConfigException>(() => BrokerConfig.Load(_dir));
        Assert.Equal($"config file '{_dir}' is a directory", e.Message);
    }

    [Fact]
    public void ConstructorChecksLikeTheParser()
    {
        var config = new BrokerConfig([new DeviceConfig("zip-0"), new DeviceConfig("zip-1") { Queues = 2 }], new LimitsConfig());
        Assert.Equal(2, config.Devices.Count);

        ConfigException e = Assert.Throws<ConfigException>(() => new BrokerConfig([new DeviceConfig("zip-0") { QueueDepth = 3 }], new LimitsConfig()));
        Assert.Equal("BrokerConfig: devices[0].queue_depth: must be a power of two between 2 and 4096 (got 3)", e.Message);
        e = Assert.Throws<ConfigException>(() => new BrokerConfig([], new LimitsConfig()));
        Assert.Equal("BrokerConfig: devices: at least one device is required", e.Message);
        e = Assert.Throws<ConfigException>(() => new BrokerConfig([new DeviceConfig("zip-0")], new LimitsConfig { MaxClients = 0 }));
        Assert.Equal("BrokerConfig: limits.max_clients: must be between 1 and 2147483647 (got 0)", e.Message);
        e = Assert.Throws<ConfigException>(() => new BrokerConfig([new DeviceConfig("zip-0") { Memory = DeviceMemoryModes.None }], new LimitsConfig()));
        Assert.StartsWith("BrokerConfig: devices[0].memory: must be", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DevicesListCannotBeChangedThroughACast()
    {
        BrokerConfig config = BrokerConfig.Parse("{}", "wdd.json");
        Assert.False(config.Devices is DeviceConfig[]);
        Assert.Throws<NotSupportedException>(() => ((IList<DeviceConfig>)config.Devices).Add(new DeviceConfig("zip-1")));
    }

    [Fact]
    public void ExampleInDocsParses()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "WarpDrive.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        string text = File.ReadAllText(Path.Combine(root.FullName, "docs", "BROKER-CONFIG.md"));
        int start = text.IndexOf("```json\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/BROKER-CONFIG.md has a ```json example");
        start += "```json\n".Length;
        string json = text[start..text.IndexOf("```", start, StringComparison.Ordinal)];
        BrokerConfig config = BrokerConfig.Parse(json, "BROKER-CONFIG.md");
        Assert.NotEmpty(config.Devices);
    }
}
