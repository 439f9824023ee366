using System.Text;
using System.Text.Json;
using WarpDrive.Abi;

namespace WarpDrive.Broker.Configuration;

/// <summary>Walks a <see cref="JsonDocument"/> by hand so that every error names the JSON path, and unknown or
/// repeated keys their line.</summary>
internal sealed class ConfigParser
{
    private static readonly JsonDocumentOptions s_documentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly string[] s_rootKeys = ["devices", "limits", "scheduling"];

    private static readonly string[] s_schedulingKeys = ["quantum_us", "bulk_threshold", "default_weight", "weights", "max_share"];

    private static readonly string[] s_deviceKeys =
    [
        "name", "model", "engine", "zstd_engine", "lz4_engine", "queues", "queue_depth", "workers", "engines", "max_streams_per_queue", "numa_node", "memory",
        "isolate_strategy", "socket_mode", "socket_group", "fault_injection", "reserved_queues",
    ];

    private static readonly string[] s_limitsKeys =
    [
        "max_queues_per_user", "max_shared_bytes_per_user", "queue_error_threshold", "max_request_bytes", "max_clients", "max_regions_per_user",
        "max_connections_per_user", "require_allocation",
    ];

    private readonly string _source;

    // Container path -> 1-based line of each of its property names, in document order.
    private readonly Dictionary<string, List<int>> _keyLines;

    private ConfigParser(string source, Dictionary<string, List<int>> keyLines)
    {
        _source = source;
        _keyLines = keyLines;
    }

    public static BrokerConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, s_documentOptions);
        }
        catch (JsonException e)
        {
            throw new ConfigException(source, null, e.LineNumber + 1, $"{source}: {Position(e)}invalid JSON: {Describe(e)}", e);
        }

        using (document)
        {
            return new ConfigParser(source, ScanKeyLines(json)).ReadRoot(document.RootElement);
        }
    }

    private BrokerConfig ReadRoot(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Error("", $"the top level must be a JSON object (got {Got(root)})");
        }

        Dictionary<string, JsonElement> keys = ReadKeys(root, "", s_rootKeys);
        IReadOnlyList<DeviceConfig> devices = keys.TryGetValue("devices", out JsonElement d) ? ReadDevices(d) : BrokerConfig.Default.Devices;
        LimitsConfig limits = keys.TryGetValue("limits", out JsonElement l) ? ReadLimits(l) : new LimitsConfig();
        SchedulingConfig scheduling = keys.TryGetValue("scheduling", out JsonElement s) ? ReadScheduling(s) : new SchedulingConfig();
        return new BrokerConfig(devices, limits, scheduling, _source);
    }

    private DeviceConfig[] ReadDevices(JsonElement array)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Error("devices", $"must be an array of devices (got {Got(array)})");
        }

        var devices = new List<DeviceConfig>();
        foreach (JsonElement item in array.EnumerateArray())
        {
            devices.Add(ReadDevice(item, $"devices[{devices.Count}]"));
        }

        return [.. devices];
    }

    private DeviceConfig ReadDevice(JsonElement obj, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"must be an object (got {Got(obj)})");
        }

        Dictionary<string, JsonElement> keys = ReadKeys(obj, path, s_deviceKeys);
        if (!keys.TryGetValue("name", out JsonElement nameElement))
        {
            throw Error(path, "missing required key 'name'");
        }

        // The name first, then the other keys in document order: the first bad value is the one reported.
        var device = new DeviceConfig(String(nameElement, Join(path, "name"), ConfigRules.Name));
        foreach ((string key, JsonElement v) in keys)
        {
            string at = Join(path, key);
            device = key switch
            {
                "name" => device,
                "model" => device with { Model = String(v, at, ConfigRules.Model) },
                "engine" => device with { Engine = String(v, at, ConfigRules.Engine) },
                "zstd_engine" => device with { ZstdEngine = String(v, at, ConfigRules.ZstdEngine) },
                "lz4_engine" => device with { Lz4Engine = String(v, at, ConfigRules.Lz4Engine) },
                "queues" => device with { Queues = Int(v, at, ConfigRules.Queues) },
                "queue_depth" => device with { QueueDepth = Int(v, at, ConfigRules.QueueDepth) },
                "workers" => device with { Workers = Int(v, at, ConfigRules.WorkerCount) },
                // The old name of "workers" (before "engine" meant only the codec library): still read, with a warning.
                "engines" => keys.ContainsKey("workers")
                    ? throw Error(at, "is the deprecated name of 'workers': give only 'workers'")
                    : device with { Workers = Int(v, at, ConfigRules.WorkerCount), WorkersFromEnginesKey = true },
                "max_streams_per_queue" => device with { MaxStreamsPerQueue = Int(v, at, ConfigRules.StreamsPerQueue) },
                "numa_node" => device with { NumaNode = Int(v, at, ConfigRules.NumaNode) },
                "memory" => device with { Memory = Memory(v, at) },
                "isolate_strategy" => device with { IsolateStrategy = Int(v, at, ConfigRules.IsolateStrategy) },
                "socket_mode" => device with { SocketMode = SocketMode(v, at) },
                "socket_group" => device with
                {
                    SocketGroup = v.ValueKind == JsonValueKind.Null ? null : String(v, at, ConfigRules.SocketGroup),
                },
                "fault_injection" => device with { FaultInjection = Int(v, at, ConfigRules.FaultInjection) },
                "reserved_queues" => device with { ReservedQueues = Int(v, at, ConfigRules.ReservedQueues) },
                _ => throw new InvalidOperationException(key),
            };
        }

        return device;
    }

    private LimitsConfig ReadLimits(JsonElement obj)
    {
        const string path = "limits";
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"must be an object (got {Got(obj)})");
        }

        var limits = new LimitsConfig();
        foreach ((string key, JsonElement v) in ReadKeys(obj, path, s_limitsKeys))
        {
            string at = Join(path, key);
            limits = key switch
            {
                "max_queues_per_user" => limits with { MaxQueuesPerUser = Int(v, at, ConfigRules.Positive) },
                "max_shared_bytes_per_user" => limits with { MaxSharedBytesPerUser = Size(v, at, ConfigRules.SharedBytes) },
                "queue_error_threshold" => limits with { QueueErrorThreshold = Int(v, at, ConfigRules.Positive) },
                "max_request_bytes" => limits with { MaxRequestBytes = Size(v, at, ConfigRules.RequestBytes) },
                "max_clients" => limits with { MaxClients = Int(v, at, ConfigRules.Positive) },
                "max_regions_per_user" => limits with { MaxRegionsPerUser = Int(v, at, ConfigRules.Positive) },
                "max_connections_per_user" => limits with { MaxConnectionsPerUser = Int(v, at, ConfigRules.Positive) },
                "require_allocation" => limits with { RequireAllocation = Bool(v, at) },
                _ => throw new InvalidOperationException(key),
            };
        }

        return limits;
    }

    private SchedulingConfig ReadScheduling(JsonElement obj)
    {
        const string path = "scheduling";
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"must be an object (got {Got(obj)})");
        }

        var scheduling = new SchedulingConfig();
        foreach ((string key, JsonElement v) in ReadKeys(obj, path, s_schedulingKeys))
        {
            string at = Join(path, key);
            scheduling = key switch
            {
                "quantum_us" => scheduling with { QuantumMicroseconds = Int(v, at, ConfigRules.QuantumMicroseconds) },
                "bulk_threshold" => scheduling with { BulkThresholdBytes = Size(v, at, ConfigRules.BulkThreshold) },
                "default_weight" => scheduling with { DefaultWeight = Int(v, at, ConfigRules.Weight) },
                "weights" => scheduling with { Weights = ReadUids(v, at, "weight", ConfigRules.Weight) },
                "max_share" => scheduling with { MaxShares = ReadUids(v, at, "percent", ConfigRules.SharePercent) },
                _ => throw new InvalidOperationException(key),
            };
        }

        return scheduling;
    }

    private Dictionary<uint, int> ReadUids(JsonElement obj, string path, string what, Func<long, string?> rule)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            throw Error(path, $"must be an object of uid: {what} (got {Got(obj)})");
        }

        var weights = new Dictionary<uint, int>();
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            string at = Join(path, property.Name);
            if (!uint.TryParse(property.Name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint uid))
            {
                throw Error(at, $"a key must be a numeric uid (got {ConfigRules.Quote(property.Name)})");
            }

            if (!weights.TryAdd(uid, Int(property.Value, at, rule)))
            {
                throw Error(at, $"uid {uid} is named twice");
            }
        }

        return weights;
    }

    /// <summary>The object's properties, in document order; an unknown or repeated key is an error with its line.</summary>
    private Dictionary<string, JsonElement> ReadKeys(JsonElement obj, string path, string[] known)
    {
        List<int>? lines = _keyLines.GetValueOrDefault(path);
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        int index = 0;
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            int? line = lines is not null && index < lines.Count ? lines[index] : null;
            index++;
            string where = path.Length == 0 ? "" : $" in {path}";
            if (!known.Contains(property.Name))
            {
                throw ConfigException.AtLine(_source, Join(path, property.Name), line,
                    $"unknown key {ConfigRules.Quote(property.Name)}{where}{Suggest(property.Name, known)}");
            }

            if (!result.TryAdd(property.Name, property.Value))
            {
                throw ConfigException.AtLine(_source, Join(path, property.Name), line, $"duplicate key '{property.Name}'{where}");
            }
        }

        return result;
    }

    private int Int(JsonElement v, string path, Func<long, string?> rule)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long n))
        {
            throw Error(path, $"must be an integer (got {Got(v)})");
        }

        Check(path, rule(n));
        return (int)n; // every integer rule stays within int
    }

    private bool Bool(JsonElement v, string path) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error(path, $"must be true or false (got {Got(v)})"),
    };

    private string String(JsonElement v, string path, Func<string?, string?> rule)
    {
        if (v.ValueKind != JsonValueKind.String)
        {
            throw Error(path, $"must be a string (got {Got(v)})");
        }

        string s = v.GetString()!;
        Check(path, rule(s));
        return s;
    }

    private long Size(JsonElement v, string path, Func<long, string?> rule)
    {
        long bytes;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n))
        {
            bytes = n;
        }
        else if (v.ValueKind != JsonValueKind.String || !ByteSize.TryParse(v.GetString()!, out bytes))
        {
            throw Error(path, $"must be a size such as 4096, \"64KiB\", \"256MiB\" or \"1GiB\" (got {Got(v)})");
        }

        Check(path, rule(bytes));
        return bytes;
    }

    private DeviceMemoryModes Memory(JsonElement v, string path) =>
        v.ValueKind == JsonValueKind.String && ConfigRules.ParseMemory(v.GetString()!) is { } m ? m
        : throw Error(path, $"must be \"sva\", \"share\" or \"sva+share\" (got {Got(v)})");

    private uint SocketMode(JsonElement v, string path)
    {
        if (v.ValueKind != JsonValueKind.String || ConfigRules.ParseOctal(v.GetString()!) is not { } mode)
        {
            throw Error(path, $"must be an octal string between \"0600\" and \"0777\" (got {Got(v)})");
        }

        Check(path, ConfigRules.SocketMode(mode));
        return mode;
    }

    private void Check(string path, string? error)
    {
        if (error is not null)
        {
            throw Error(path, error);
        }
    }

    private ConfigException Error(string path, string detail) => ConfigException.AtPath(_source, path, detail);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    /// <summary>How a value reads in a message: its JSON text, shortened; "an object" or "an array".</summary>
    private static string Got(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => v.GetRawText() is { Length: > 64 } raw ? raw[..64] + "..." : v.GetRawText(),
    };

    /// <summary>" (did you mean 'queues'?)" when a known key is a small edit away.</summary>
    private static string Suggest(string name, string[] known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string k in known)
        {
            int d = Distance(name.ToLowerInvariant(), k);
            if (d < bestDistance)
            {
                (best, bestDistance) = (k, d);
            }
        }

        return bestDistance <= Math.Max(1, Math.Min(3, name.Length / 3)) ? $" (did you mean '{best}'?)" : "";
    }

    private static int Distance(string a, string b)
    {
        if (a.Length > 64)
        {
            return int.MaxValue;
        }

        int[] previous = new int[b.Length + 1], current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static string Position(JsonException e) => e.LineNumber is { } line
        ? e.BytePositionInLine is { } column ? $"line {line + 1}, column {column + 1}: " : $"line {line + 1}: "
        : "";

    /// <summary>The reader's message without its " Path: ... | LineNumber: ..." tail, which the prefix already says.</summary>
    private static string Describe(JsonException e)
    {
        string message = e.Message;
        foreach (string tail in (string[])[" Path: ", " LineNumber: "])
        {
            int cut = message.IndexOf(tail, StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }
        }

        return message.ReplaceLineEndings(" ").TrimEnd();
    }

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
        public string Name { get; set; } = "";

        public string Child() => IsArray ? $"{Path}[{Index++}]" : Join(Path, Name);
    }

    /// <summary>Lines of every property name, by container path (JsonElement has no position of its own). Runs on a
    /// document that already parsed, so the reader cannot fail.</summary>
    private static Dictionary<string, List<int>> ScanKeyLines(string json)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        var lines = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var stack = new Stack<Frame>();
        int line = 1;
        int counted = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    int start = (int)reader.TokenStartIndex;
                    line += utf8.AsSpan(counted, start - counted).Count((byte)'\n');
                    counted = start;
                    Frame frame = stack.Peek();
                    frame.Name = reader.GetString()!;
                    if (!lines.TryGetValue(frame.Path, out List<int>? list))
                    {
                        lines[frame.Path] = list = [];
                    }

                    list.Add(line);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    string path = stack.TryPeek(out Frame? parent) ? parent.Child() : "";
                    stack.Push(new Frame(path, reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.Pop();
                    break;
                default:
                    if (stack.TryPeek(out Frame? container) && container.IsArray)
                    {
                        container.Index++;
                    }

                    break;
            }
        }

        return lines;
    }
}
