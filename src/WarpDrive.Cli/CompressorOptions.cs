using System.CommandLine;

namespace WarpDrive.Cli;

/// <summary>The options that gzip, zstd and lz4 spell alike (<c>-c -d -f -k -q -t -v</c>), added to one of
/// <c>wd gzip</c>, <c>wd zstd</c> and <c>wd lz4</c>, and the file operands.</summary>
internal sealed class CompressorOptions
{
    /// <summary>Adds the options and the file operands to <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="force">The help line of <c>-f</c> (what it allows differs).</param>
    /// <param name="keep">The help line of <c>-k</c> (zstd and lz4 keep inputs anyway).</param>
    public CompressorOptions(Command command, string force, string keep)
    {
        Stdout = new Option<bool>("--stdout", "-c", "--to-stdout") { Description = "Write on standard output; keep the input files" };
        Decompress = new Option<bool>("--decompress", "-d", "--uncompress") { Description = "Decompress" };
        Force = new Option<bool>("--force", "-f") { Description = force };
        Keep = new Option<bool>("--keep", "-k") { Description = keep };
        Test = new Option<bool>("--test", "-t") { Description = "Test the integrity of compressed files; write nothing" };
        Quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress all warnings" };
        Verbose = new Option<bool>("--verbose", "-v") { Description = "Name each file and its compression ratio" };
        Files = new Argument<string[]>("files") { Description = "Files (default, or -: standard input)", Arity = ArgumentArity.ZeroOrMore };
        foreach (Symbol symbol in (Symbol[])[Stdout, Decompress, Force, Keep, Test, Quiet, Verbose])
        {
            command.Add((Option)symbol);
        }

        command.Add(Files);
    }

    /// <summary><c>-c</c>, <c>--stdout</c>.</summary>
    public Option<bool> Stdout { get; }

    /// <summary><c>-d</c>, <c>--decompress</c>.</summary>
    public Option<bool> Decompress { get; }

    /// <summary><c>-f</c>, <c>--force</c>.</summary>
    public Option<bool> Force { get; }

    /// <summary><c>-k</c>, <c>--keep</c>.</summary>
    public Option<bool> Keep { get; }

    /// <summary><c>-t</c>, <c>--test</c>.</summary>
    public Option<bool> Test { get; }

    /// <summary><c>-q</c>, <c>--quiet</c>.</summary>
    public Option<bool> Quiet { get; }

    /// <summary><c>-v</c>, <c>--verbose</c>.</summary>
    public Option<bool> Verbose { get; }

    /// <summary>The file operands.</summary>
    public Argument<string[]> Files { get; }

    /// <summary>The file operands on the line, or <c>-</c> (standard input) when there are none.</summary>
    public string[] FilesOrStdin(ParseResult parse) => parse.GetValue(Files) is { Length: > 0 } named ? named : ["-"];
}
