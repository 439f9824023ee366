using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using WarpDrive.Broker.Configuration;

namespace WarpDrive.Broker;

/// <summary>The broker's command line, shared by <c>wdd</c> and <c>wd daemon</c>:
/// <c>[--config FILE] [--run-dir DIR]</c>.</summary>
public static class DaemonCommand
{
    /// <summary>Exit code: stopped cleanly (SIGTERM, SIGINT, SIGHUP).</summary>
    public const int Ok = 0;

    /// <summary>Exit code: bad flags.</summary>
    public const int Usage = 2;

    /// <summary>Exit code: the run directory or a device socket cannot be set up (or another broker holds it).</summary>
    public const int RunDirectoryError = 4;

    /// <summary>Exit code: the configuration file is missing or invalid, or asks for what this machine lacks (a group, an engine).</summary>
    public const int ConfigError = 6;

    /// <summary>Adds the daemon's options and action to <paramref name="command"/>.</summary>
    public static T Configure<T>(T command)
        where T : Command
    {
        ArgumentNullException.ThrowIfNull(command);
        var config = new Option<string?>("--config", "-c") { Description = "Configuration file (JSON; see docs/BROKER-CONFIG.md). Default: one zip-0 device" };
        var runDir = new Option<string?>("--run-dir") { Description = "Run directory (default: $WD_RUN_DIR, /run/warpdrive for root, else $XDG_RUNTIME_DIR/warpdrive or /tmp/warpdrive-$UID)" };
        command.Add(config);
        command.Add(runDir);
        command.SetAction((parse, token) => RunAsync(parse.GetValue(config), parse.GetValue(runDir), token));
        return command;
    }

    /// <summary>Runs the broker until SIGTERM, SIGINT or SIGHUP. Under a service manager (<c>NOTIFY_SOCKET</c>, e.g.
    /// systemd's <c>Type=notify</c>) it reports READY=1 once every device socket listens and STOPPING=1 when it begins
    /// to stop (docs/DEPLOYMENT.md).</summary>
    /// <returns>The exit code.</returns>
    public static async Task<int> RunAsync(string? configPath, string? runDirectory, CancellationToken cancellationToken)
    {
        BrokerConfig config;
        string directory;
        try
        {
            config = configPath is null ? BrokerConfig.Default : BrokerConfig.Load(configPath);
            directory = Platform.RunDirectory.Resolve(runDirectory);
        }
        catch (ConfigException e)
        {
            await Console.Error.WriteLineAsync($"wdd: {e.Message}").ConfigureAwait(false);
            return ConfigError;
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // A start that fails with a BrokerException is reported below in one line; the host would log it first with
        // its stack trace ("Hosting failed to start").
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        // After the console logging above: under systemd its log format replaces the simple one.
        ServiceManagerMode serviceManager = ServiceManager.Configure(builder);
        builder.Services.AddHostedService(sp => new BrokerService(config, directory, sp.GetRequiredService<ILogger<BrokerService>>()));
        using IHost host = builder.Build();
        ServiceManager.Watch(host, serviceManager, config.Devices.Count, directory);
        // The host's lifetime stops on SIGTERM (and the console lifetime on SIGINT); a daemon whose terminal goes away
        // (SIGHUP) stops the same way, cleaning up its sockets and attribute tree, rather than dying on the default
        // action, and so does Ctrl+C under the systemd lifetime, which handles SIGTERM only.
        IHostApplicationLifetime lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        using PosixSignalRegistration hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            lifetime.StopApplication();
        });
        using PosixSignalRegistration? interrupt = serviceManager == ServiceManagerMode.Systemd
            ? PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                lifetime.StopApplication();
            })
            : null;
        // A caller's cancellation stops the host as SIGTERM does; passed to RunAsync it would throw out of a start still
        // under way, and the process would exit 143 instead of stopping cleanly.
        await using CancellationTokenRegistration stop = cancellationToken.Register(lifetime.StopApplication);
        try
        {
            await host.RunAsync(CancellationToken.None).ConfigureAwait(false);
            return Ok;
        }
        catch (BrokerException e)
        {
            await Console.Error.WriteLineAsync($"wdd: {e.Message}").ConfigureAwait(false);
            return e.IsConfigurationError ? ConfigError : RunDirectoryError;
        }
    }
}
