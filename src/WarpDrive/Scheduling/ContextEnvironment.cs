using System.Globalization;
using WarpDrive.Abi;

namespace WarpDrive.Scheduling;

/// <summary>Reads UADK's environment grammar for an algorithm library's contexts:
/// <c>WD_&lt;ALG&gt;_CTX_NUM="sync-comp:2@0,async-decomp:4@0"</c> (or <c>"sync:2@0,async:4@0"</c> for libraries
/// without operation types), <c>WD_&lt;ALG&gt;_ASYNC_POLL_EN</c> (0 or 1) and <c>WD_&lt;ALG&gt;_ASYNC_POLL_NUM</c>
/// (polling threads). A bad value is a <see cref="WdConfigurationException"/> whose one-line message names the
/// variable and says what it should look like.</summary>
public static class ContextEnvironment
{
    /// <summary>Most contexts one group may ask for.</summary>
    public const int MaxCount = 1024;

    /// <summary>Parses a <c>CTX_NUM</c> value: comma-separated <c>MODE[-OP]:COUNT@NODE</c> entries, MODE <c>sync</c> or
    /// <c>async</c>, OP one of <paramref name="operations"/> (none allowed when it is empty), COUNT 1..1024, NODE a
    /// NUMA node (&gt;= 0), or -1 / omitted (<c>@</c> and all) for any node. The library prefers devices on the first node its specs name.</summary>
    /// <exception cref="WdConfigurationException">The value does not follow the grammar.</exception>
    public static IReadOnlyList<ContextSpec> ParseContextNumber(string variable, string value, IReadOnlyCollection<string> operations)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(operations);
        string shape = operations.Count == 0 ? "sync:2@0,async:4@0" : $"sync-{operations.First()}:2@0,async-{operations.Last()}:4@0";
        var specs = new List<ContextSpec>();
        foreach (string raw in value.Split(','))
        {
            string entry = raw.Trim();
            int colon = entry.IndexOf(':', StringComparison.Ordinal);
            if (entry.Length == 0 || colon <= 0)
            {
                throw Bad(variable, value, $"entry '{entry}' is not MODE:COUNT@NODE", shape);
            }

            string head = entry[..colon];
            string tail = entry[(colon + 1)..];
            string mode = head;
            string? operation = null;
            int dash = head.IndexOf('-', StringComparison.Ordinal);
            if (dash >= 0)
            {
                mode = head[..dash];
                operation = head[(dash + 1)..];
            }

            if (mode is not ("sync" or "async"))
            {
                throw Bad(variable, value, $"mode '{mode}' is neither sync nor async", shape);
            }

            if (operation is not null && !operations.Contains(operation))
            {
                throw Bad(variable, value, operations.Count == 0
                    ? $"this library has no operation types (got '{operation}')"
                    : $"operation '{operation}' is not one of {string.Join(", ", operations)}", shape);
            }

            int at = tail.IndexOf('@', StringComparison.Ordinal);
            string countText = at < 0 ? tail : tail[..at];
            string nodeText = at < 0 ? "-1" : tail[(at + 1)..];
            if (!int.TryParse(countText, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxCount)
            {
                throw Bad(variable, value, $"count '{countText}' is not a number from 1 to {MaxCount}", shape);
            }

            if (!int.TryParse(nodeText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int node) || node < -1)
            {
                throw Bad(variable, value, $"node '{nodeText}' is not a NUMA node number (or -1 for any)", shape);
            }

            var spec = new ContextSpec(mode == "async", operation, count, node);
            if (specs.Any(s => s.Async == spec.Async && s.Operation == spec.Operation && s.NumaNode == spec.NumaNode))
            {
                throw Bad(variable, value, $"'{head}@{node}' is given twice", shape);
            }

            specs.Add(spec);
        }

        return specs;
    }

    /// <summary>Parses <c>ASYNC_POLL_EN</c>: 0 (the caller polls) or 1 (the library runs polling threads).</summary>
    public static bool ParsePollEnable(string variable, string value) => value.Trim() switch
    {
        "1" => true,
        "0" => false,
        _ => throw new WdConfigurationException(variable, $"{variable}='{value}': must be 0 (the application calls Poll) or 1 (the library polls)"),
    };

    /// <summary>Parses <c>ASYNC_POLL_NUM</c>: polling threads, 1..64.</summary>
    public static int ParsePollThreads(string variable, string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 64
            ? n
            : throw new WdConfigurationException(variable, $"{variable}='{value}': must be a number of polling threads from 1 to 64");

    /// <summary>Parses <c>SCHED_POLICY</c>: <c>rr</c> (or <c>round-robin</c>), <c>least-loaded</c>, <c>single</c> or
    /// <c>per-device</c>.</summary>
    public static SchedulingPolicy ParsePolicy(string variable, string value) => value.Trim().ToLowerInvariant() switch
    {
        "rr" or "round-robin" => SchedulingPolicy.RoundRobin,
        "least-loaded" => SchedulingPolicy.LeastLoaded,
        "single" => SchedulingPolicy.Single,
        "per-device" => SchedulingPolicy.PerDevice,
        _ => throw new WdConfigurationException(variable, $"{variable}='{value}': must be rr, least-loaded, single or per-device"),
    };

    /// <summary>Parses <c>INLINE_THRESHOLD</c>: a size in <see cref="ByteSize"/>'s grammar (<c>4096</c>, <c>16K</c>,
    /// <c>16KiB</c>), below 2 GiB; 0 offloads everything.</summary>
    public static int ParseThreshold(string variable, string value) =>
        ByteSize.TryParse(value, 0, int.MaxValue, out long bytes)
            ? (int)bytes
            : throw new WdConfigurationException(variable, $"{variable}='{value}': must be a size in bytes (e.g. 4096, 16K or 16KiB), below 2G");

    private static WdConfigurationException Bad(string variable, string value, string what, string shape) =>
        new(variable, $"{variable}='{value}': {what} (expected something like \"{shape}\")");
}
