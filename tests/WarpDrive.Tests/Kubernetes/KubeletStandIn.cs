using System.Threading.Channels;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using WarpDrive.Kubernetes;
using WarpDrive.Kubernetes.DevicePluginApi;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>A kubelet's device manager as far as a device plugin sees it, built from the same api.proto: the
/// <c>v1beta1.Registration</c> service on <c>kubelet.sock</c> in a device-plugin directory (real gRPC, HTTP/2 over a
/// Unix socket), and the client end of a plugin's <c>v1beta1.DevicePlugin</c> service on the endpoint it registered.
/// <see cref="RestartAsync"/> does what a restarting kubelet does to the directory: its socket goes, every plugin
/// socket in the directory is removed, and a new <c>kubelet.sock</c> appears.</summary>
internal sealed class KubeletStandIn : IAsyncDisposable
{
    private readonly Channel<RegisterRequest> _registrations = Channel.CreateUnbounded<RegisterRequest>();
    private WebApplication? _app;

    private KubeletStandIn(string directory) => Directory = directory;

    /// <summary>The device-plugin directory (a fresh temporary one).</summary>
    public string Directory { get; }

    /// <summary>Its registration socket.</summary>
    public string Socket => Path.Combine(Directory, "kubelet.sock");

    /// <summary>What the kubelet answers to Register; null accepts.</summary>
    public Func<RegisterRequest, Status?>? Verdict { get; set; }

    public static async Task<KubeletStandIn> StartAsync()
    {
        var kubelet = new KubeletStandIn(System.IO.Directory.CreateTempSubdirectory("kubelet-").FullName);
        await kubelet.ListenAsync();
        return kubelet;
    }

    /// <summary>The next registration (at most <paramref name="timeout"/>).</summary>
    public async Task<RegisterRequest> NextRegistrationAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _registrations.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no registration within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>Whether a registration is waiting to be read.</summary>
    public bool HasRegistration => _registrations.Reader.Count > 0;

    /// <summary>A client of the plugin that registered <paramref name="registration"/> (the kubelet dials its endpoint).</summary>
    public DevicePlugin.DevicePluginClient Dial(RegisterRequest registration, out IDisposable channel)
    {
        var grpc = UnixChannel.Create(Path.Combine(Directory, registration.Endpoint));
        channel = grpc;
        return new DevicePlugin.DevicePluginClient(grpc);
    }

    /// <summary>Stops, removes its socket and every plugin socket in the directory, and listens on a new socket.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*.sock"))
        {
            File.Delete(file);
        }

        await ListenAsync();
    }

    private async Task ListenAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.ListenUnixSocket(Socket, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new RegistrationService(this));
        WebApplication app = builder.Build();
        app.MapGrpcService<RegistrationService>();
        await app.StartAsync();
        _app = app;
    }

    private async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
            File.Delete(Socket);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private sealed class RegistrationService(KubeletStandIn kubelet) : Registration.RegistrationBase
    {
        public override Task<Empty> Register(RegisterRequest request, ServerCallContext context)
        {
            if (kubelet.Verdict?.Invoke(request) is { } refusal)
            {
                throw new RpcException(refusal);
            }

            kubelet._registrations.Writer.TryWrite(request);
            return Task.FromResult(new Empty());
        }
    }
}
