using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace WarpDrive.Broker;

/// <summary>The broker under a service manager (docs/DEPLOYMENT.md): with systemd's <c>Type=notify</c> protocol it
/// sends <c>READY=1</c> once it serves (the host has started, so <see cref="BrokerService"/>'s start has returned:
/// every device socket listens and the pid file is written) and <c>STOPPING=1</c> when it begins to shut down, each
/// with a <c>STATUS=</c> line for <c>systemctl status</c>.</summary>
internal static class ServiceManager
{
    /// <summary>The datagram socket a service manager listens on for notifications (sd_notify(3)).</summary>
    public const string NotifySocketVariable = "NOTIFY_SOCKET";

    /// <summary>Sets up the notifications on <paramref name="builder"/>. Under systemd (the parent process is
    /// systemd) that is <c>AddSystemd</c> (<c>UseSystemd</c> for this builder): the systemd lifetime, which sends
    /// READY=1 and STOPPING=1 and stops on SIGTERM, and log lines in systemd's format (a <c>&lt;N&gt;</c> priority
    /// prefix that journald reads, no timestamp of its own). Elsewhere, when <c>NOTIFY_SOCKET</c> is set anyway (another
    /// supervisor that speaks sd_notify, systemd with a wrapper process in between, a test), the same notifier with the
    /// console lifetime and log format; <see cref="Watch"/> sends READY=1 and STOPPING=1 then.</summary>
    public static ServiceManagerMode Configure(HostApplicationBuilder builder)
    {
        if (SystemdHelpers.IsSystemdService())
        {
            builder.Services.AddSystemd();
            // Its "Application started. Hosting environment: ..." lines: the broker's own say what it serves.
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
            return ServiceManagerMode.Systemd;
        }

        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(NotifySocketVariable)))
        {
            builder.Services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
            return ServiceManagerMode.NotifySocket;
        }

        return ServiceManagerMode.None;
    }

    /// <summary>Registers the notifications on the built host's lifetime events: ApplicationStarted fires after every
    /// hosted service has started, ApplicationStopping before any stops.</summary>
    public static void Watch(IHost host, ServiceManagerMode mode, int devices, string runDirectory)
    {
        if (mode == ServiceManagerMode.None)
        {
            return;
        }

        ISystemdNotifier notifier = host.Services.GetRequiredService<ISystemdNotifier>();
        ILogger logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("WarpDrive.Broker.ServiceManager");
        IHostApplicationLifetime lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        // Under systemd the systemd lifetime sends READY=1 and STOPPING=1 itself.
        string ready = mode == ServiceManagerMode.Systemd ? "" : "READY=1\n";
        string stopping = mode == ServiceManagerMode.Systemd ? "" : "STOPPING=1\n";
        string serving = string.Create(CultureInfo.InvariantCulture, $"STATUS=serving {devices} device(s) in {runDirectory}");
        lifetime.ApplicationStarted.Register(() => Notify(notifier, logger, ready + serving));
        lifetime.ApplicationStopping.Register(() => Notify(notifier, logger, stopping + "STATUS=stopping: disabling the queues"));
    }

    private static void Notify(ISystemdNotifier notifier, ILogger logger, string message)
    {
        try
        {
            notifier.Notify(new ServiceState(message));
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IOException)
        {
            // The broker serves whether or not its supervisor hears of it.
            logger.NotifyFailed(Environment.GetEnvironmentVariable(NotifySocketVariable) ?? "", e.Message);
        }
    }
}

/// <summary>Who the broker tells that it is ready (<see cref="ServiceManager.Configure"/>).</summary>
internal enum ServiceManagerMode
{
    /// <summary>No one: no <c>NOTIFY_SOCKET</c>.</summary>
    None,

    /// <summary>systemd, its parent: the systemd lifetime and log format.</summary>
    Systemd,

    /// <summary>Whoever set <c>NOTIFY_SOCKET</c>, with the console lifetime and log format.</summary>
    NotifySocket,
}
