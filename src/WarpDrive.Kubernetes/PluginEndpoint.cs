using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace WarpDrive.Kubernetes;

/// <summary>One resource's gRPC server: Kestrel, HTTP/2 only, on a Unix socket in the kubelet's device-plugin
/// directory, serving one <see cref="DevicePluginService"/>.</summary>
internal sealed class PluginEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PluginEndpoint(WebApplication app, string socketPath)
    {
        _app = app;
        SocketPath = socketPath;
    }

    /// <summary>The socket it listens on.</summary>
    public string SocketPath { get; }

    /// <summary>Listens on <paramref name="socketPath"/> (a stale file there is removed first).</summary>
    public static async Task<PluginEndpoint> StartAsync(string socketPath, DevicePluginService service, CancellationToken cancellationToken)
    {
        File.Delete(socketPath);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // Kestrel's request lines would drown the plugin's own
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        WebApplication app = builder.Build();
        app.MapGrpcService<DevicePluginService>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new PluginEndpoint(app, socketPath);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2)); // open ListAndWatch streams end with it
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            File.Delete(SocketPath);
        }
    }
}
