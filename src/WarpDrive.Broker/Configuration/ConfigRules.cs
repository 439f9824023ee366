using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace WarpDrive.Broker.Configuration;

/// <summary>The range of every configuration value. Each rule returns null when the value is good, else the message
/// (without file and path) that <see cref="ConfigException"/> carries.</summary>
internal static partial class ConfigRules
{
    /// <summary>Models the broker can host.</summary>
    public static readonly string[] Models = [.. Devices.DeviceCatalog.Models];

    /// <summary>Values of a device's <c>engine</c> key.</summary>
    public static readonly string[] Engines = [.. Devices.DeviceCatalog.ZipEngines];

    public const int MaxQueues = 1024;
    public const int MaxQueueDepth = 4096;
    public const int MaxWorkers = 64;
    public const int MaxStreamsPerQueue = 1024;
    public const int MaxIsolateStrategy = 1_000_000;
    public const uint MinSocketMode = 0b110_000_000; // 0600
    public const uint MaxSocketMode = 0b111_111_111; // 0777
    public const long MinBytes = 4096;
    public const long MaxRequestBytes = uint.MaxValue; // SQE lengths are 32-bit

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}-[0-9]+$")]
    private static partial Regex DeviceNamePattern();

    // A group name as useradd accepts it (optionally a trailing $), or a numeric gid.
    [GeneratedRegex("^([a-z_][a-z0-9_-]{0,30}\\$?|[0-9]{1,10})$")]
    private static partial Regex GroupPattern();

    public static string? Name(string? name) =>
        name is not null && DeviceNamePattern().IsMatch(name) ? null
        : $"must be a device name such as 'zip-0': a lowercase letter, up to 31 more of [a-z0-9_-], a dash and a number (got {Quote(name)})";

    public static string? Model(string? model) =>
        model is not null && Models.Contains(model) ? null
        : $"model {Quote(model)} is not supported ({string.Join(", ", Models)})";

    public static string? Engine(string? engine) =>
        engine is not null && Engines.Contains(engine) ? null
        : $"engine {Quote(engine)} is not supported ({string.Join(", ", Engines)})";

    public static string? ZstdEngine(string? engine) => OneOf("zstd engine", engine, Devices.DeviceCatalog.ZstdEngines);

    public static string? Lz4Engine(string? engine) => OneOf("LZ4 engine", engine, Devices.DeviceCatalog.Lz4Engines);

    private static string? OneOf(string what, string? value, IReadOnlyList<string> names) =>
        value is not null && names.Contains(value) ? null : $"{what} {Quote(value)} is not supported ({string.Join(", ", names)})";

    public static string? Queues(long v) => Between(v, 1, MaxQueues);

    /// <summary>reserved_queues on its own; <see cref="ReservedQueues(long, long)"/> checks it against the device's queues.</summary>
    public static string? ReservedQueues(long v) => Between(v, 0, MaxQueues);

    public static string? ReservedQueues(long v, long queues) =>
        v >= 0 && v <= queues ? null : $"must be between 0 and the device's queues ({queues}) (got {v})";

    public static string? QueueDepth(long v) =>
        v is >= 2 and <= MaxQueueDepth && (v & (v - 1)) == 0 ? null
        : $"must be a power of two between 2 and {MaxQueueDepth} (got {v})";

    public static string? WorkerCount(long v) => Between(v, 1, MaxWorkers);

    public static string? StreamsPerQueue(long v) => Between(v, 0, MaxStreamsPerQueue);

    public static string? NumaNode(long v) =>
        v is >= -1 and <= int.MaxValue ? null : $"must be -1 (no node) or a node number >= 0 (got {v})";

    public static string? IsolateStrategy(long v) =>
        v is >= 0 and <= MaxIsolateStrategy ? null
        : $"must be between 0 (never isolate) and {MaxIsolateStrategy} errors per hour (got {v})";

    public static string? FaultInjection(long v) =>
        v is >= 0 and <= int.MaxValue ? null : $"must be 0 (off) or N >= 1 to fail every Nth request (got {v})";

    public static string? Memory(DeviceMemoryModes m) =>
        m != DeviceMemoryModes.None && (m & ~(DeviceMemoryModes.Sva | DeviceMemoryModes.Share)) == 0 ? null
        : $"must be \"sva\", \"share\" or \"sva+share\" (got {(int)m})";

    public static string? SocketMode(long v) =>
        v is >= MinSocketMode and <= MaxSocketMode ? null
        : $"must be an octal mode between \"0600\" and \"0777\" (got \"{Octal(v)}\")";

    public static string? SocketGroup(string? group) =>
        group is null || GroupPattern().IsMatch(group) ? null
        : $"must be a group name or a numeric gid (got {Quote(group)})";

    /// <summary>max_queues_per_user, queue_error_threshold, max_clients.</summary>
    public static string? Positive(long v) => Between(v, 1, int.MaxValue);

    public static string? SharedBytes(long v) =>
        v >= MinBytes ? null : $"must be at least {MinBytes} bytes (got {v})";

    public static string? QuantumMicroseconds(long v) => Between(v, 10, 100_000);

    public static string? Weight(long v) => Between(v, 1, 1000);

    public static string? SharePercent(long v) => Between(v, 1, 100);

    public static string? BulkThreshold(long v) =>
        v == 0 || v is >= MinBytes and <= MaxRequestBytes ? null
        : $"must be 0 (off) or between {MinBytes} and {MaxRequestBytes} bytes (got {v})";

    public static string? RequestBytes(long v) =>
        v is >= MinBytes and <= MaxRequestBytes ? null
        : $"must be between {MinBytes} and {MaxRequestBytes} bytes (got {v})";

    /// <summary>Parses a memory mode string.</summary>
    public static DeviceMemoryModes? ParseMemory(string text) => text switch
    {
        "sva" => DeviceMemoryModes.Sva,
        "share" => DeviceMemoryModes.Share,
        "sva+share" or "share+sva" => DeviceMemoryModes.Sva | DeviceMemoryModes.Share,
        _ => null,
    };

    /// <summary>Parses an octal mode string: three or four octal digits, e.g. <c>0660</c>.</summary>
    public static uint? ParseOctal(string text)
    {
        if (text.Length is < 3 or > 4 || (text.Length == 4 && text[0] != '0'))
        {
            return null;
        }

        uint mode = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '7')
            {
                return null;
            }

            mode = (mode << 3) | (uint)(c - '0');
        }

        return mode;
    }

    public static string Octal(long v) => v < 0 ? v.ToString(CultureInfo.InvariantCulture) : "0" + Convert.ToString(v, 8);

    /// <summary>A string for a one-line message: quoted, control characters escaped, at most 64 characters.</summary>
    public static string Quote(string? s)
    {
        if (s is null)
        {
            return "null";
        }

        var sb = new StringBuilder("'");
        foreach (char c in s.Length > 64 ? s[..64] : s)
        {
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c);
        }

        return sb.Append(s.Length > 64 ? "...'" : "'").ToString();
    }

    private static string? Between(long v, long min, long max) =>
        v >= min && v <= max ? null : $"must be between {min} and {max} (got {v})";
}
