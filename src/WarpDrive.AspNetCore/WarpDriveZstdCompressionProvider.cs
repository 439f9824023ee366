using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.AspNetCore;

/// <summary>The <c>zstd</c> content coding (RFC 8878) for ASP.NET Core's response compression, compressed on a WarpDrive
/// ZIP device (a <see cref="WdZstdStream"/> over the response body). When the runtime has no usable device (none offers
/// zstd, or no queue or stream context can be had), the response is compressed by ZstdSharp, the managed zstd, instead;
/// the choice is made per response and counted in <see cref="DeviceStreamCount"/> and <see cref="FallbackStreamCount"/>.
/// Chromium and Firefox accept <c>zstd</c>; <see cref="Microsoft.Extensions.DependencyInjection.WarpDriveResponseCompressionServiceCollectionExtensions.AddWarpDriveResponseCompression"/>
/// lists this provider first.</summary>
public sealed class WarpDriveZstdCompressionProvider : ICompressionProvider
{
    private readonly WdRuntime? _runtime;
    private readonly int _deviceLevel;
    private readonly WdCompressionStreamOptions _streamOptions;
    private long _deviceStreams;
    private long _fallbackStreams;

    /// <summary>Creates the provider (the service container does, through
    /// <see cref="Microsoft.Extensions.DependencyInjection.WarpDriveResponseCompressionServiceCollectionExtensions.AddWarpDriveResponseCompression"/>).</summary>
    /// <param name="options">Level, runtime, offload.</param>
    /// <param name="runtime">A runtime from the service container, used when <see cref="WarpDriveZstdCompressionProviderOptions.Runtime"/>
    /// is null; when both are null, <see cref="WdRuntime.Default"/>.</param>
    public WarpDriveZstdCompressionProvider(IOptions<WarpDriveZstdCompressionProviderOptions> options, WdRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        WarpDriveZstdCompressionProviderOptions value = options.Value;
        if (!Enum.IsDefined(value.Level))
        {
            throw new ArgumentOutOfRangeException(nameof(options), value.Level, "unknown compression level");
        }

        Level = value.Level;
        _deviceLevel = CompressionSessionOptions.ToLevel(value.Level, CompressionAlgorithm.Zstd);
        _runtime = value.Runtime ?? runtime;
        _streamOptions = new WdCompressionStreamOptions { Level = _deviceLevel, LeaveOpen = true, Runtime = Runtime, Offload = value.Offload };
    }

    /// <inheritdoc/>
    public string EncodingName => "zstd";

    /// <summary>True: flushing the response ends a zstd block, so the client can decompress everything written so far.</summary>
    public bool SupportsFlush => true;

    /// <summary>The compression level of both paths.</summary>
    public CompressionLevel Level { get; }

    /// <summary>The runtime whose devices compress.</summary>
    public WdRuntime Runtime => _runtime ?? WdRuntime.Default;

    /// <summary>Responses compressed on a WarpDrive device so far.</summary>
    public long DeviceStreamCount => Interlocked.Read(ref _deviceStreams);

    /// <summary>Responses compressed by ZstdSharp so far, because no device was usable.</summary>
    public long FallbackStreamCount => Interlocked.Read(ref _fallbackStreams);

    /// <summary>A zstd stream over <paramref name="outputStream"/> (left open when the stream is disposed): a
    /// <see cref="WdZstdStream"/> when the runtime can give this response a device, else ZstdSharp's.</summary>
    public Stream CreateStream(Stream outputStream)
    {
        ArgumentNullException.ThrowIfNull(outputStream);
        try
        {
            var stream = new WdZstdStream(outputStream, CompressionMode.Compress, _streamOptions);
            Interlocked.Increment(ref _deviceStreams);
            return stream;
        }
        catch (WdException)
        {
            Interlocked.Increment(ref _fallbackStreams);
            return new ZstdSharp.CompressionStream(outputStream, _deviceLevel, leaveOpen: true);
        }
    }
}
