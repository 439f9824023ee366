using System.CommandLine;
using WarpDrive.Broker;
using WarpDrive.Platform;

// Another architecture's syscall numbers would call the wrong system calls: stop before anything runs.
if (LinuxArchitecture.UnsupportedReason is { } unsupported)
{
    Console.Error.WriteLine($"wdd: {unsupported}");
    return DaemonCommand.Usage;
}

RootCommand root = DaemonCommand.Configure(new RootCommand("wdd: the WarpDrive broker. Owns accelerator devices and hands their queues to other processes."));
ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine($"wdd: {string.Join("; ", parse.Errors.Select(e => e.Message.ReplaceLineEndings(" ")))}");
    return DaemonCommand.Usage;
}

// The host stops on SIGTERM, SIGINT and SIGHUP itself (DaemonCommand); System.CommandLine's own handler would also
// catch them and exit 143 when a stop outlasts its timeout or lands while the host is still starting.
return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }).ConfigureAwait(false);
