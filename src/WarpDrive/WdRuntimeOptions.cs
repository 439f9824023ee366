using WarpDrive.Compression;
using WarpDrive.Devices;

namespace WarpDrive;

/// <summary>How a <see cref="WdRuntime"/> finds devices and runs them.</summary>
public sealed class WdRuntimeOptions
{
    /// <summary>Start in-process device models when no other device is present (the embedded default).
    /// The environment variable <c>WD_EMBEDDED=0</c> turns this off for <see cref="WdRuntime.Default"/>.</summary>
    public bool EmbeddedDevices { get; init; } = true;

    /// <summary>Shape of the embedded devices (queues, depth, engine threads).</summary>
    public DeviceHostOptions EmbeddedDeviceOptions { get; init; } = new();

    /// <summary>Deflate engine of the embedded ZIP device: <c>isal</c>, <c>zlib-ng</c>, or null for the best present
    /// (<c>WD_ZIP_ENGINE</c> sets it for <see cref="WdRuntime.Default"/>).</summary>
    public string? EmbeddedZipEngine { get; init; }

    /// <summary>Queues the compression library opens at most (sessions are spread over them).</summary>
    public int MaxCompressionContexts { get; init; } = 2;

    /// <summary>Complete asynchronous requests from a background poller thread. When false, the application
    /// calls <see cref="CompressionSession.Poll"/> (UADK's wd_comp_poll) to complete them.</summary>
    public bool BackgroundPolling { get; init; } = true;

    /// <summary>Options of <see cref="WdRuntime.Default"/>, read from the environment.</summary>
    public static WdRuntimeOptions FromEnvironment() => new()
    {
        EmbeddedDevices = Environment.GetEnvironmentVariable("WD_EMBEDDED") is not ("0" or "false" or "no"),
        EmbeddedZipEngine = Environment.GetEnvironmentVariable("WD_ZIP_ENGINE"),
    };
}
