using System.IO.Compression;

namespace WarpDrive.Cli;

/// <summary>The file side that <c>wd gzip</c>, <c>wd zstd</c> and <c>wd lz4</c> share: the checks on an input (a
/// directory, a symbolic link, a missing file) and on its output (one that exists is not overwritten without
/// <c>-f</c>, nor the input itself), the terminal refusals, one file turned into its output through
/// <see cref="FileJob"/> (no partial output, the input's mode and times kept) and the input removed after, and the
/// exit status of several files. Each command names its outputs and words its own lines; the tools differ there.</summary>
/// <param name="settings">What the command line asked.</param>
/// <param name="runtime">The devices that do the work.</param>
internal sealed class FileCodec(FileCodec.Settings settings, WdRuntime runtime)
{
    /// <summary>What a file command line asked of every file.</summary>
    /// <param name="Algorithm">The format: gzip, zstd or lz4 (<see cref="CodecCommand.Transform"/>'s names).</param>
    /// <param name="Decompress">Decompress (or test) rather than compress.</param>
    /// <param name="Level">The compression level.</param>
    /// <param name="Dictionary">zstd's <c>-D</c> dictionary, or empty.</param>
    /// <param name="Test">Write nothing: <c>-t</c> (which also decompresses), lz4's <c>null</c> output.</param>
    /// <param name="Force">Overwrite existing outputs, follow links, write to a terminal (<c>-f</c>).</param>
    /// <param name="Quiet">No warnings (<c>-q</c>).</param>
    /// <param name="WarningCode">The exit code of a warning (a file skipped): gzip's 2, zstd's and lz4's 1.</param>
    /// <param name="ExistsSeparator">What separates "already exists;" from "not overwritten" (gzip: a tab).</param>
    public sealed record Settings(string Algorithm, bool Decompress, int Level, ReadOnlyMemory<byte> Dictionary, bool Test, bool Force, bool Quiet,
        int WarningCode, string ExistsSeparator);

    /// <summary>What the command line asked.</summary>
    public Settings Options => settings;

    /// <summary>The same run, writing nothing (lz4's <c>null</c> output).</summary>
    public FileCodec Discarding() => new(settings with { Test = true }, runtime);

    /// <summary>The exit status after one more file: an error (1) wins over a warning (gzip's 2), else the highest.</summary>
    public static int Combine(int status, int code) =>
        code == ExitCodes.DataError || status == ExitCodes.DataError ? ExitCodes.DataError : Math.Max(status, code);

    /// <summary>Runs <paramref name="one"/> on each file (<c>-</c> included) and combines their exit codes.</summary>
    public static int Each(IEnumerable<string> files, Func<string, int> one) => files.Aggregate(ExitCodes.Ok, (status, file) => Combine(status, one(file)));

    /// <summary>The usual checks on a named input: null when it can be read, else the exit code after its line.</summary>
    /// <param name="file">The input.</param>
    /// <param name="symbolicLink">What a symbolic link is when it is not followed (<c>-f</c> and <paramref name="followLinks"/> follow
    /// it): null to follow it anyway (lz4), else the line and whether it is an error (gzip) or a warning (zstd).</param>
    /// <param name="followLinks">Whether this run follows links anyway (gzip: to standard output).</param>
    public int? CheckInput(string file, (string Message, bool IsError)? symbolicLink, bool followLinks = false)
    {
        if (Directory.Exists(file))
        {
            return Warn($"{file} is a directory -- ignored");
        }

        if (symbolicLink is var (message, isError) && !settings.Force && !followLinks && new FileInfo(file).LinkTarget is not null)
        {
            return isError ? Error($"{file}: {message}") : Warn($"{file}: {message}");
        }

        return File.Exists(file) ? null : Error($"{file}: No such file or directory");
    }

    /// <summary>The checks on a named output: null when it may be written, else the exit code after its line (an output
    /// that exists is a warning without <c>-f</c>; the input itself is an error).</summary>
    public int? CheckOutput(string file, string output)
    {
        if (!File.Exists(output) && !Directory.Exists(output))
        {
            return null;
        }

        if (!settings.Force || Directory.Exists(output))
        {
            return Warn($"{output} already exists;{settings.ExistsSeparator}not overwritten");
        }

        return FileJob.SameFile(file, output) ? Error($"{file}: the output would replace the input") : null;
    }

    /// <summary>The terminal refusals: null, or the exit code after the line that says which end is a terminal.</summary>
    /// <param name="guardOutput">Whether a terminal on standard output is refused (it is the output, and the command
    /// line does not allow it: gzip's <c>-f</c>, zstd's and lz4's <c>-c</c>).</param>
    /// <param name="guardInput">Whether a terminal on standard input is refused.</param>
    /// <param name="notWritten">The line when the output would go to a terminal.</param>
    /// <param name="notRead">The line when the input would come from a terminal.</param>
    public static int? RefuseTerminal(bool guardOutput, bool guardInput, string notWritten, string notRead)
    {
        if (guardOutput && !Console.IsOutputRedirected)
        {
            return Error(notWritten);
        }

        return guardInput && !Console.IsInputRedirected ? Error(notRead) : null;
    }

    /// <summary>Turns <paramref name="files"/> (null or <c>-</c>: standard input; one after the other, as one stream of
    /// frames or members) into <paramref name="output"/> (null: standard output; nothing with <see cref="Settings.Test"/>),
    /// then removes the named inputs when <paramref name="removeInputs"/>. A named output takes the first input's mode
    /// and times when it is the only one, as the tools do.</summary>
    /// <returns>The exit code, and the bytes of uncompressed and compressed data.</returns>
    public (int Code, long Uncompressed, long Compressed) Convert(IReadOnlyList<string?> files, string? output, bool removeInputs)
    {
        string? first = FileJob.Named(files[0]);
        PendingOutput.FileAttributesToKeep? keep = first is not null && files.Count == 1 && FileJob.Named(output) is not null
            ? PendingOutput.FileAttributesToKeep.Of(first) // before reading moves the access time
            : null;
        (long Uncompressed, long Compressed) total = default;
        int code = FileJob.Run(first, settings.Test ? null : output, (source, sink) =>
        {
            total = Transform(source, sink);
            foreach (string? next in files.Skip(1))
            {
                try
                {
                    using Stream more = FileJob.Named(next) is { } path ? InputFile.Open(path) : Console.OpenStandardInput();
                    (long u, long c) = Transform(more, sink);
                    total = (total.Uncompressed + u, total.Compressed + c);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    throw new LaterInputException(FileJob.Named(next) ?? "(stdin)", e); // FileJob names the first input
                }
            }
        }, static (subject, e) => e is LaterInputException later ? Translate(later.File, later.InnerException!) : Translate(subject, e), keep);
        if (code == ExitCodes.Ok && removeInputs)
        {
            foreach (string file in files.Select(FileJob.Named).OfType<string>())
            {
                try
                {
                    File.Delete(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    code = Combine(code, Translate(file, e));
                }
            }
        }

        return (code, total.Uncompressed, total.Compressed);
    }

    private (long Uncompressed, long Compressed) Transform(Stream source, Stream sink) =>
        CodecCommand.Transform(settings.Decompress ? CompressionMode.Decompress : CompressionMode.Compress, settings.Algorithm, settings.Level, null,
            source, settings.Test ? Stream.Null : sink, runtime, null, settings.Quiet, settings.Dictionary);

    /// <summary>One line for a failure about <paramref name="subject"/> (a file, or standard input): an error.</summary>
    public static int Translate(string subject, Exception error) =>
        Error($"{(subject == "(stdin)" ? "stdin" : subject)}: {CliError.SystemMessage(error)}");

    /// <summary>Writes <c>wd: MESSAGE</c> and returns the tools' error code (1).</summary>
    public static int Error(string message)
    {
        Console.Error.WriteLine($"wd: {message}");
        return ExitCodes.DataError;
    }

    /// <summary>Writes <c>wd: MESSAGE</c> and returns the warning's code; <c>-q</c> silences it where it is a warning
    /// (gzip's), not where the tool counts it an error (zstd's and lz4's).</summary>
    public int Warn(string message)
    {
        if (!settings.Quiet || settings.WarningCode == ExitCodes.DataError)
        {
            Console.Error.WriteLine($"wd: {message}");
        }

        return settings.WarningCode;
    }

    /// <summary>A failure on an input after the first of a concatenation, carrying that input's name.</summary>
    private sealed class LaterInputException(string file, Exception inner) : Exception(inner.Message, inner)
    {
        /// <summary>The input at fault.</summary>
        public string File { get; } = file;
    }
}
