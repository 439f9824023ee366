namespace WarpDrive.Broker.Configuration;

/// <summary>A broker configuration that cannot be used: a missing file, invalid JSON, an unknown key or a value out
/// of range. The message is one line that names the file and the JSON path (or line), e.g.
/// <c>wdd.json: devices[1].queue_depth: must be a power of two between 2 and 4096 (got 100)</c>.</summary>
public sealed class ConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ConfigException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ConfigException(string configSource, string? jsonPath, long? line, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ConfigSource = configSource;
        JsonPath = jsonPath;
        Line = line;
    }

    /// <summary>The file (or the source name given to <see cref="BrokerConfig.Parse"/>) the error is in, when known.</summary>
    public string? ConfigSource { get; }

    /// <summary>JSON path of the offending value, e.g. <c>devices[1].queue_depth</c>; null for syntax errors and
    /// errors about the file itself.</summary>
    public string? JsonPath { get; }

    /// <summary>1-based line of the error, for syntax errors and unknown or duplicate keys.</summary>
    public long? Line { get; }

    internal static ConfigException AtPath(string source, string path, string detail) =>
        new(source, path, null, path.Length == 0 ? $"{source}: {detail}" : $"{source}: {path}: {detail}");

    internal static ConfigException AtLine(string source, string path, long? line, string detail) =>
        new(source, path, line, line is null ? $"{source}: {detail}" : $"{source}: line {line}: {detail}");
}
