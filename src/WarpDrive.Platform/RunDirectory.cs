using System.Globalization;

namespace WarpDrive.Platform;

/// <summary>The broker's run directory: device sockets under <c>&lt;run&gt;/dev/</c>, the attribute tree under
/// <c>&lt;run&gt;/class/uacce/</c> (the roles of <c>/dev</c> and <c>/sys/class/uacce</c>), counters under
/// <c>&lt;run&gt;/stats/</c>. The broker and libwd resolve
/// it the same way, so that they meet without configuration.</summary>
public static class RunDirectory
{
    /// <summary>Environment variable that names the run directory (<c>WD_RUN_DIR</c>).</summary>
    public const string EnvironmentVariable = "WD_RUN_DIR";

    /// <summary>The file in which the broker names its pid namespace (<c>wdd.pidns</c>, beside <c>wdd.pid</c>): a client
    /// in another one (a container) cannot use the pid in <c>wdd.pid</c>, which is the broker's in its own namespace.</summary>
    public const string PidNamespaceFileName = "wdd.pidns";

    /// <summary>The run directory as a full path. In order: <paramref name="explicitPath"/> when not null or empty;
    /// <c>$WD_RUN_DIR</c> when set and not empty; <c>/run/warpdrive</c> for root; <c>$XDG_RUNTIME_DIR/warpdrive</c>
    /// when that variable holds an absolute path; else <c>/tmp/warpdrive-&lt;uid&gt;</c>. Nothing is created.</summary>
    /// <exception cref="InvalidOperationException">Only the last rule applies and <c>/proc/self/status</c> has no
    /// readable <c>Uid:</c> line.</exception>
    public static string Resolve(string? explicitPath = null) =>
        Resolve(explicitPath, Environment.GetEnvironmentVariable, Environment.IsPrivilegedProcess, ReadUid);

    /// <summary><see cref="Resolve(string?)"/> with the environment, root-ness and uid given (for tests).</summary>
    internal static string Resolve(string? explicitPath, Func<string, string?> env, bool isRoot, uint uid) =>
        Resolve(explicitPath, env, isRoot, () => uid);

    private static string Resolve(string? explicitPath, Func<string, string?> env, bool isRoot, Func<uint> uid)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return Path.GetFullPath(explicitPath);
        }

        string? fromEnvironment = env(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        if (isRoot)
        {
            return "/run/warpdrive";
        }

        // The XDG base directory spec: a relative path in these variables is invalid and ignored.
        string? runtime = env("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtime) && Path.IsPathRooted(runtime))
        {
            return Path.GetFullPath(Path.Combine(runtime, "warpdrive"));
        }

        return "/tmp/warpdrive-" + uid().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The socket of <paramref name="device"/>: <c>&lt;run&gt;/dev/&lt;device&gt;</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="device"/> is empty, <c>.</c>, <c>..</c> or has a
    /// <c>/</c>.</exception>
    public static string DeviceSocket(string runDir, string device) => Path.Combine(DeviceDirectory(runDir), CheckName(device));

    /// <summary>The directory of the device sockets: <c>&lt;run&gt;/dev</c>.</summary>
    public static string DeviceDirectory(string runDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        return Path.Combine(runDir, "dev");
    }

    /// <summary>The stats files <c>wd top</c> reads: <c>&lt;run&gt;/stats</c> (docs/STATS.md).</summary>
    public static string StatsDirectory(string runDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        return Path.Combine(runDir, "stats");
    }

    /// <summary>The allocation files a device plugin writes and the broker reads: <c>&lt;run&gt;/alloc</c>
    /// (docs/BROKER-PROTOCOL.md, "Allocations"). Never mounted into a client's container: the file names are the tokens.</summary>
    public static string AllocationDirectory(string runDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        return Path.Combine(runDir, "alloc");
    }

    /// <summary>The attribute tree: <c>&lt;run&gt;/class/uacce</c>, laid out as <c>/sys/class/uacce</c>.</summary>
    public static string ClassDirectory(string runDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDir);
        return Path.Combine(runDir, "class", "uacce");
    }

    /// <summary>The attributes of <paramref name="device"/>: <c>&lt;run&gt;/class/uacce/&lt;device&gt;</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="device"/> is empty, <c>.</c>, <c>..</c> or has a
    /// <c>/</c>.</exception>
    public static string DeviceClassDirectory(string runDir, string device) => Path.Combine(ClassDirectory(runDir), CheckName(device));

    /// <summary>The real uid from the first field of the <c>Uid:</c> line of <c>/proc/self/status</c>.</summary>
    internal static uint ReadUid()
    {
        string status;
        try
        {
            status = File.ReadAllText("/proc/self/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException("cannot read /proc/self/status to find the uid", e);
        }

        return ParseUid(status) ?? throw new InvalidOperationException("/proc/self/status has no Uid: line");
    }

    /// <summary>The first field of the <c>Uid:</c> line (real uid), or null.</summary>
    internal static uint? ParseUid(string status)
    {
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                string[] fields = line[4..].Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
                return fields.Length > 0 && uint.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                    ? uid : null;
            }
        }

        return null;
    }

    private static string CheckName(string device)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        if (device is "." or ".." || device.Contains('/', StringComparison.Ordinal) || device.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{device}' is not a device name", nameof(device));
        }

        return device;
    }
}
