using System.CommandLine;
using System.IO.Compression;
using WarpDrive.Cli;

var root = new RootCommand("wd: WarpDrive for .NET. Hands compression to accelerators through shared-memory queues.")
{
    ListCommand.Create(),
    CodecCommand.Create(CompressionMode.Compress),
    CodecCommand.Create(CompressionMode.Decompress),
};

ParseResult parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    return CliError.Usage(parse.Errors[0].Message);
}

return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
