using System.CommandLine;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using WarpDrive.Kubernetes;
using WarpDrive.Platform;

var runDir = new Option<string?>("--run-dir") { Description = "The broker's run directory on the node (default: as wdd resolves it: $WD_RUN_DIR, /run/warpdrive for root, ...)" };
var pluginDir = new Option<string>("--plugin-dir") { Description = "The kubelet's device-plugin directory", DefaultValueFactory = _ => PluginOptions.DefaultPluginDirectory };
var containerRunDir = new Option<string>("--container-run-dir") { Description = "Where containers find the run directory (their WD_RUN_DIR)", DefaultValueFactory = _ => "/run/warpdrive" };
var shares = new Option<int>("--shares") { Description = "Schedulable units per broker queue", DefaultValueFactory = _ => 1 };
var domain = new Option<string>("--resource-domain") { Description = "Resources are DOMAIN/zip, DOMAIN/sec, DOMAIN/hpre", DefaultValueFactory = _ => "warpdrive.io" };
var uacceClass = new Option<string>("--uacce-class-dir") { Description = "The kernel's uacce class directory", DefaultValueFactory = _ => "/sys/class/uacce" };
var uacceDev = new Option<string>("--uacce-dev-dir") { Description = "The directory of the uacce device nodes", DefaultValueFactory = _ => "/dev" };
var poll = new Option<int>("--poll-ms") { Description = "How often the node is scanned, in milliseconds", DefaultValueFactory = _ => 1000 };
var root = new RootCommand("wd-k8s-plugin: the Kubernetes device plugin for WarpDrive devices (docs/KUBERNETES.md)")
{
    runDir, pluginDir, containerRunDir, shares, domain, uacceClass, uacceDev, poll,
};
// SIGTERM (the kubelet stopping the pod) and SIGINT stop the plugin cleanly, exit 0, however long the stop takes:
// System.CommandLine's own handler would exit 143 once a stop outlasted its 2 s timeout (a loaded node).
using var stopping = new CancellationTokenSource();
using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
root.SetAction(async (parse, _) =>
{
    CancellationToken stop = stopping.Token;
    if (parse.GetValue(shares) < 1 || parse.GetValue(poll) < 10)
    {
        await Console.Error.WriteLineAsync("wd-k8s-plugin: --shares must be at least 1 and --poll-ms at least 10").ConfigureAwait(false);
        return 2;
    }

    var options = new PluginOptions
    {
        RunDirectory = RunDirectory.Resolve(parse.GetValue(runDir)),
        PluginDirectory = parse.GetValue(pluginDir)!,
        ContainerRunDirectory = parse.GetValue(containerRunDir)!,
        SharesPerQueue = parse.GetValue(shares),
        ResourceDomain = parse.GetValue(domain)!,
        UacceClassDirectory = parse.GetValue(uacceClass)!,
        UacceDeviceDirectory = parse.GetValue(uacceDev)!,
        PollInterval = TimeSpan.FromMilliseconds(parse.GetValue(poll)),
    };
    using ILoggerFactory loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
    }));
    await using var host = new DevicePluginHost(options, loggers);
    await host.RunAsync(stop).ConfigureAwait(false);
    return 0;
});
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }).ConfigureAwait(false);

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stopping.Cancel();
}
