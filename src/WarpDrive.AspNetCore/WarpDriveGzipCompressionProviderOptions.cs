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

    WarpDriveGzipCompressionProviderOptions IOptions<WarpDriveGzipCompressionProviderOptions>.Value => this;
}
