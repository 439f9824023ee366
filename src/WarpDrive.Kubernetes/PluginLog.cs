using Microsoft.Extensions.Logging;

namespace WarpDrive.Kubernetes;

/// <summary>The plugin's log lines (source-generated).</summary>
internal static partial class PluginLog
{
    [LoggerMessage(1, LogLevel.Information, "{Resource}: {Healthy} of {Units} units healthy{Why}")]
    public static partial void UnitsChanged(this ILogger logger, string resource, int healthy, int units, string why);

    [LoggerMessage(2, LogLevel.Information, "registered {Resource} at {Endpoint}{Why}")]
    public static partial void Registered(this ILogger logger, string resource, string endpoint, string why);

    [LoggerMessage(3, LogLevel.Warning, "registering {Resource} failed: {Status} {Detail}; retrying")]
    public static partial void RegistrationFailed(this ILogger logger, string resource, string status, string detail);

    [LoggerMessage(5, LogLevel.Warning, "scan failed: {Message}; trying again")]
    public static partial void ScanFailed(this ILogger logger, string message);

    [LoggerMessage(4, LogLevel.Information, "allocated {Units} of {Resource}: queue limits {Limits} (allocation {Token}...)")]
    public static partial void Allocated(this ILogger logger, string units, string resource, string limits, string token);
}
