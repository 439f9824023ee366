using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace WarpDrive.AspNetCore;

/// <summary>Options of <see cref="WarpDriveGzipCompressionProvider"/>; set them with
/// <c>services.Configure&lt;WarpDriveGzipCompressionProviderOptions&gt;(...)</c> or the second argument of
/// <see cref="Microsoft.Extensions.DependencyInjection.WarpDriveResponseCompressionServiceCollectionExtensions.AddWarpDriveResponseCompression"/>.</summary>
public sealed class WarpDriveGzipCompressionProviderOptions : IOptions<WarpDriveGzipCompressionProviderOptions>
{
    /// <summary>The compression level, on the device and in the fallback alike (default <see cref="CompressionLevel.Fastest"/>,
    /// as the runtime's <c>GzipCompressionProviderOptions</c>). WarpDrive maps it onto zlib levels: Fastest 1, Optimal 6,
    /// SmallestSize 9, NoCompression 0 (stored blocks).</summary>
    public CompressionLevel Level { get; set; } = CompressionLevel.Fastest;

    /// <summary>The runtime whose devices compress; null takes a <see cref="WdRuntime"/> registered in the service
    /// container, else <see cref="WdRuntime.Default"/>. The provider does not dispose it.</summary>
    public WdRuntime? Runtime { get; set; }

    /// <summary>After a response found no usable device (none offers gzip, or every queue and stream context is taken),
    /// the responses of this interval go straight to the runtime's <see cref="GZipStream"/> without asking the runtime
    /// again (default 1 second; <see cref="TimeSpan.Zero"/> asks for every response).</summary>
    public TimeSpan DeviceRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Offload responses to the device even when it is an in-process device model (default false: an
    /// in-process model compresses on the request's own thread, through Mix mode's inline device, which costs about half
    /// the CPU of a hop to a worker on the same cores; broker and kernel devices are always offloaded to). See
    /// <see cref="Streams.WdCompressionStreamOptions.Offload"/>.</summary>
    public bool Offload { get; set; }

    /// <summary>Responses that end, or are first flushed, within this many bytes are compressed by the runtime's
    /// <see cref="GZipStream"/>, counted in <see cref="WarpDriveGzipCompressionProvider.SmallResponseCount"/>: below a
    /// block, a device stream's setup costs more than it saves when the device is a model on the same cores, and a
    /// stream of small flushed pieces would make a device request of each (docs/PERFORMANCE.md, "ASP.NET Core").
    /// Default 12 KiB, measured: below it the runtime's gzip cost less per response; and System.Text.Json flushes about
    /// every 14.7 KiB, so a larger JSON body must be decided by then. 0 sends every response to the device.</summary>
    public int SmallResponseThreshold { get; set; } = 12 * 1024;

    WarpDriveGzipCompressionProviderOptions IOptions<WarpDriveGzipCompressionProviderOptions>.Value => this;
}
