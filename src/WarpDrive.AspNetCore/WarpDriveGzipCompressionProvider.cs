using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.AspNetCore;

/// <summary>The <c>gzip</c> content coding for ASP.NET Core's response compression, compressed on a WarpDrive ZIP
/// device (a <see cref="WdGZipStream"/> over the response body). When the runtime has no usable device (none offers
/// gzip, or no queue or stream context can be had), the response is compressed by the runtime's
/// <see cref="GZipStream"/> instead: the choice is made once per response, when its compression stream is created, and
/// counted in <see cref="DeviceStreamCount"/> and <see cref="FallbackStreamCount"/>. Nothing is logged per response;
/// only a change between the two paths is.</summary>
/// <remarks>A response that started on the device stays there: a device that fails mid-response fails that response.</remarks>
public sealed partial class WarpDriveGzipCompressionProvider : ICompressionProvider
{
    private readonly WdRuntime? _runtime;
    private readonly int _deviceLevel;
    private readonly WdCompressionStreamOptions _streamOptions;
    private readonly long _retryMilliseconds;
    private readonly ILogger _logger;
    private long _deviceStreams;
    private long _fallbackStreams;
    private long _smallStreams;
    private readonly int _smallThreshold;
    private long _retryAt; // Environment.TickCount64 before which responses skip the device
    private int _onFallback;

    /// <summary>Creates the provider (the service container does, through
    /// <see cref="Microsoft.Extensions.DependencyInjection.WarpDriveResponseCompressionServiceCollectionExtensions.AddWarpDriveResponseCompression"/>).</summary>
    /// <param name="options">Level, runtime and retry interval.</param>
    /// <param name="runtime">A runtime from the service container, used when <see cref="WarpDriveGzipCompressionProviderOptions.Runtime"/>
    /// is null; when both are null, <see cref="WdRuntime.Default"/>.</param>
    /// <param name="logger">Where a change between the device and the fallback is reported.</param>
    public WarpDriveGzipCompressionProvider(IOptions<WarpDriveGzipCompressionProviderOptions> options, WdRuntime? runtime = null,
        ILogger<WarpDriveGzipCompressionProvider>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        WarpDriveGzipCompressionProviderOptions value = options.Value;
        ArgumentOutOfRangeException.ThrowIfLessThan(value.DeviceRetryInterval, TimeSpan.Zero, nameof(options));
        if (!Enum.IsDefined(value.Level))
        {
            throw new ArgumentOutOfRangeException(nameof(options), value.Level, "unknown compression level");
        }

        Level = value.Level;
        _deviceLevel = CompressionSessionOptions.ToLevel(value.Level);
        _runtime = value.Runtime ?? runtime;
        _streamOptions = new WdCompressionStreamOptions { Level = _deviceLevel, LeaveOpen = true, Runtime = Runtime, Offload = value.Offload };
        _retryMilliseconds = (long)value.DeviceRetryInterval.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfNegative(value.SmallResponseThreshold, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.SmallResponseThreshold, 16 << 20, nameof(options));
        _smallThreshold = value.SmallResponseThreshold;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc/>
    public string EncodingName => "gzip";

    /// <summary>True: flushing the response (<c>HttpResponse.Body.FlushAsync</c>, or every write once buffering is
    /// disabled) ends the compressed output on a byte boundary (a sync flush), so the client can decompress everything
    /// written so far.</summary>
    public bool SupportsFlush => true;

    /// <summary>The compression level of both paths.</summary>
    public CompressionLevel Level { get; }

    /// <summary>The runtime whose devices compress.</summary>
    public WdRuntime Runtime => _runtime ?? WdRuntime.Default;

    /// <summary>Responses compressed on a WarpDrive device so far.</summary>
    public long DeviceStreamCount => Interlocked.Read(ref _deviceStreams);

    /// <summary>Responses compressed by the runtime's <see cref="GZipStream"/> so far, because no device was usable.</summary>
    public long FallbackStreamCount => Interlocked.Read(ref _fallbackStreams);

    /// <summary>Responses that ended or were first flushed within
    /// <see cref="WarpDriveGzipCompressionProviderOptions.SmallResponseThreshold"/> bytes and were compressed by the
    /// runtime's <see cref="GZipStream"/> as the cheaper choice.</summary>
    public long SmallResponseCount => Interlocked.Read(ref _smallStreams);

    /// <summary>A gzip stream over <paramref name="outputStream"/> (left open when the stream is disposed): a
    /// <see cref="WdGZipStream"/> when the runtime can give this response a device, else a <see cref="GZipStream"/>;
    /// with a <see cref="WarpDriveGzipCompressionProviderOptions.SmallResponseThreshold"/>, the choice waits until the
    /// response passes it (device), or ends or is flushed first (<see cref="GZipStream"/>).</summary>
    public Stream CreateStream(Stream outputStream)
    {
        ArgumentNullException.ThrowIfNull(outputStream);
        return _smallThreshold > 0 ? new DeferredGzipStream(this, outputStream, _smallThreshold) : CreateLargeStream(outputStream);
    }

    /// <summary>The runtime's gzip for a response that ended within the small-response threshold.</summary>
    internal GZipStream CreateSmallStream(Stream outputStream)
    {
        Interlocked.Increment(ref _smallStreams);
        return new GZipStream(outputStream, Level, leaveOpen: true);
    }

    /// <summary>The device's gzip stream, or the runtime's when no device is usable (counted either way).</summary>
    internal Stream CreateLargeStream(Stream outputStream)
    {
        if (Environment.TickCount64 >= Volatile.Read(ref _retryAt))
        {
            try
            {
                var stream = new WdGZipStream(outputStream, CompressionMode.Compress, _streamOptions);
                Interlocked.Increment(ref _deviceStreams);
                if (Interlocked.Exchange(ref _onFallback, 0) == 1)
                {
                    LogDeviceBack(_logger, stream.Device.Name);
                }

                return stream;
            }
            catch (WdException e)
            {
                Volatile.Write(ref _retryAt, Environment.TickCount64 + _retryMilliseconds);
                if (Interlocked.Exchange(ref _onFallback, 1) == 0)
                {
                    LogFallback(_logger, e.Message);
                }
            }
        }

        Interlocked.Increment(ref _fallbackStreams);
        return new GZipStream(outputStream, Level, leaveOpen: true);
    }

    [LoggerMessage(1, LogLevel.Warning, "No WarpDrive device can compress gzip responses ({Reason}); the runtime's GZipStream compresses them until one can")]
    private static partial void LogFallback(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Information, "WarpDrive device {Device} compresses gzip responses again")]
    private static partial void LogDeviceBack(ILogger logger, string device);
}
