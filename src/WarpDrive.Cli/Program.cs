using System.CommandLine;
using System.IO.Compression;
using WarpDrive.Broker;
using WarpDrive.Cli;
using WarpDrive.Platform;

// Another architecture's syscall numbers would call the wrong system calls: stop before anything runs.
if (LinuxArchitecture.UnsupportedReason is { } unsupported)
{
    Console.Error.WriteLine($"wd: {unsupported}");
    return ExitCodes.DeviceError;
}

Command daemon = DaemonCommand.Configure(new Command("daemon", "Run the broker (wdd) in the foreground: share this machine's devices with other processes"));
var root = new RootCommand("wd: WarpDrive for .NET. Hands compression and crypto to accelerators through shared-memory queues.")
{
    ListCommand.Create(),
    CodecCommand.Create(CompressionMode.Compress),
    CodecCommand.Create(CompressionMode.Decompress),
    GzipCommand.Create(gunzip: false),
    GzipCommand.Create(gunzip: true),
    ZstdCommand.Create("zstd"),
    ZstdCommand.Create("unzstd"),
    ZstdCommand.Create("zstdcat"),
    Lz4Command.Create("lz4"),
    Lz4Command.Create("unlz4"),
    Lz4Command.Create("lz4cat"),
    DigestCommand.Create(),
    CipherCommand.Create(),
    RsaCommand.Create(),
    TopCommand.Create(),
    BenchCommand.Create(),
    daemon,
};

// No response files: a file named @notes is a file (gzip, sha256sum), not a list of arguments to read.
ParseResult parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
if (UnknownOptions.Find(parse) is { } unknown)
{
    return CliError.Usage($"unrecognized option '{unknown}'"); // before the parser's errors, which it may have caused
}

if (parse.Errors.Count > 0)
{
    // One line: System.CommandLine's messages may span several.
    return CliError.Usage(string.Join("; ", parse.Errors.Select(e => string.Join(' ', e.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)))));
}

var invocation = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
if (parse.CommandResult.Command == daemon)
{
    invocation.ProcessTerminationTimeout = null; // the broker's host handles SIGTERM and SIGINT itself, as wdd does
}

return parse.Invoke(invocation);
