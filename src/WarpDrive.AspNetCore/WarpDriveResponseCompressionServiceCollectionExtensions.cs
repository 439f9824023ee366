using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WarpDrive.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ASP.NET Core's response compression with WarpDrive's gzip provider.</summary>
public static class WarpDriveResponseCompressionServiceCollectionExtensions
{
    /// <summary>Adds response compression (<c>app.UseResponseCompression()</c> turns it on) whose providers are, in
    /// this order, <see cref="WarpDriveGzipCompressionProvider"/> (gzip on a WarpDrive device, the runtime's GZipStream
    /// when none is usable) and the runtime's <see cref="BrotliCompressionProvider"/> (WarpDrive has no brotli device),
    /// ahead of any provider <paramref name="configureOptions"/> adds. When a client accepts both with the same
    /// quality, gzip is chosen. The gzip provider is a singleton of the container, so its counters can be read there.</summary>
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
        services.AddResponseCompression(configureOptions ?? (static _ => { }));
        services.AddOptions<ResponseCompressionOptions>()
            .Configure<WarpDriveGzipCompressionProvider, IOptions<BrotliCompressionProviderOptions>>(static (options, gzip, brotli) =>
            {
                options.Providers.Insert(0, gzip);
                options.Providers.Insert(1, new BrotliCompressionProvider(brotli));
            });
        return services;
    }
}
