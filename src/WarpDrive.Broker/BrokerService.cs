using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WarpDrive.Broker.Configuration;

namespace WarpDrive.Broker;

/// <summary>Runs a <see cref="BrokerServer"/> under the generic host: starts it (a bad run directory or device fails
/// the start with a <see cref="BrokerException"/>), serves on a dedicated thread, and on SIGTERM/SIGINT disables the
/// queues and removes the sockets.</summary>
internal sealed class BrokerService(BrokerConfig config, string runDirectory, ILogger<BrokerService> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private BrokerServer? _server;
    private Thread? _thread;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _server = new BrokerServer(config, runDirectory, logger);
        _thread = new Thread(() => _server.Run(_stop.Token)) { Name = "wdd-loop" };
        _thread.Start();
        logger.Serving(Environment.ProcessId, config.Devices.Count, runDirectory);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stop.Cancel();
        _thread?.Join();
        _server?.Dispose();
        logger.Stopped(Environment.ProcessId);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _server?.Dispose();
        _stop.Dispose();
    }
}
