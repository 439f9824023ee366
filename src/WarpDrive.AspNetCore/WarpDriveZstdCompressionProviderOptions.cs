using System.IO.Compression;
using Microsoft.Extensions.Options;

namespace WarpDrive.AspNetCore;

/// <summary>Options of <see cref="WarpDriveZstdCompressionProvider"/>; set them with
/// <c>services.Configure&lt;WarpDriveZstdCompressionProviderOptions&gt;(...)</c>.</summary>
public sealed class WarpDriveZstdCompressionProviderOptions : IOptions<WarpDriveZstdCompressionProviderOptions>
{
    /// <summary>The compression level, on the device and in the fallback alike (default <see cref="CompressionLevel.Fastest"/>):
    /// Fastest is zstd level 1, Optimal 3, SmallestSize 19, NoCompression zstd's fastest level.</summary>
    public CompressionLevel Level { get; set; } = CompressionLevel.Fastest;

    /// <summary>The runtime whose devices compress; null takes a <see cref="WdRuntime"/> registered in the service
    /// container, else <see cref="WdRuntime.Default"/>. The provider does not dispose it.</summary>
    public WdRuntime? Runtime { get; set; }

    /// <summary>Offload responses to the device even when it is an in-process device model (default false), as
    /// <see cref="WarpDriveGzipCompressionProviderOptions.Offload"/>.</summary>
    public bool Offload { get; set; }

    WarpDriveZstdCompressionProviderOptions IOptions<WarpDriveZstdCompressionProviderOptions>.Value => this;
}
