using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WarpDrive.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ASP.NET Core's response compression with WarpDrive's zstd and gzip providers.</summary>
public static class WarpDriveResponseCompressionServiceCollectionExtensions
{
    /// <summary>Adds response compression (<c>app.UseResponseCompression()</c> turns it on) whose providers are, in
    /// this order, <see cref="WarpDriveZstdCompressionProvider"/> (zstd on a WarpDrive device, ZstdSharp when none is
    /// usable), <see cref="WarpDriveGzipCompressionProvider"/> (gzip on a WarpDrive device, the runtime's GZipStream
    /// when none is usable) and the runtime's <see cref="BrotliCompressionProvider"/> (WarpDrive has no brotli device),
    /// ahead of any provider <paramref name="configureOptions"/> adds. The middleware takes the first provider a client
    /// accepts at the highest quality: a browser (Chromium sends <c>gzip, deflate, br, zstd</c>) gets zstd, smaller than
    /// gzip at level 1 and faster to decode, then gzip, and brotli only when it accepts nothing else. The providers are
    /// singletons of the container, so their counters can be read there; zstd's options are
    /// <c>services.Configure&lt;WarpDriveZstdCompressionProviderOptions&gt;(...)</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureOptions">The middleware's options (<see cref="ResponseCompressionOptions.EnableForHttps"/>,
    /// <see cref="ResponseCompressionOptions.MimeTypes"/>, ...).</param>
    /// <param name="configureGzip">WarpDrive's gzip options (level, runtime); brotli's level is
    /// <c>services.Configure&lt;BrotliCompressionProviderOptions&gt;(...)</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddWarpDriveResponseCompression(this IServiceCollection services,
        Action<ResponseCompressionOptions>? configureOptions = null, Action<WarpDriveGzipCompressionProviderOptions>? configureGzip = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configureGzip is not null)
        {
            services.Configure(configureGzip);
        }

        services.TryAddSingleton<WarpDriveGzipCompressionProvider>();
        services.TryAddSingleton<WarpDriveZstdCompressionProvider>();
        services.AddResponseCompression(configureOptions ?? (static _ => { }));
        services.AddOptions<ResponseCompressionOptions>()
            .Configure<WarpDriveZstdCompressionProvider, WarpDriveGzipCompressionProvider, IOptions<BrotliCompressionProviderOptions>>(
                static (options, zstd, gzip, brotli) =>
                {
                    options.Providers.Insert(0, zstd);
                    options.Providers.Insert(1, gzip);
                    options.Providers.Insert(2, new BrotliCompressionProvider(brotli));
                });
        return services;
    }
}
