namespace WarpDrive.Cli;

/// <summary>The frame of a command that turns one input into one output (compress, cipher, gzip): standard input and
/// output when no file is named (or <c>-</c>); a named output written through <see cref="PendingOutput"/>, so that a
/// failure or a stop signal leaves nothing half-written; every failure one line on stderr with its exit code.</summary>
internal static class FileJob
{
    /// <summary>A file argument with <c>-</c>, the usual spelling of standard input or output, read as null.</summary>
    public static string? Named(string? path) => path == "-" ? null : path;

    /// <summary>Whether two names reach the same file (through links too); false when either does not exist.</summary>
    public static bool SameFile(string a, string b)
    {
        if (!File.Exists(a) || !File.Exists(b))
        {
            return false;
        }

        static string Resolve(string path) =>
            Path.GetFullPath(new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path));

        return Resolve(a) == Resolve(b);
    }

    /// <summary>Runs <paramref name="body"/> from the input to the output and returns the exit code.</summary>
    /// <param name="inputPath">The input file, or null (or <c>-</c>) for standard input.</param>
    /// <param name="outputPath">The output file, or null (or <c>-</c>) for standard output.</param>
    /// <param name="body">The transformation; it writes everything to the sink it is given.</param>
    /// <param name="translate">Maps an exception the body throws (or opening the output does) to an exit code of its
    /// own, or null for the usual report (<see cref="CliError.Report"/>); it gets the file the error is about.</param>
    /// <param name="keep">The mode and times the named output gets before it is renamed into place, or null.</param>
    public static int Run(string? inputPath, string? outputPath, Action<Stream, Stream> body, Func<string, Exception, int?>? translate = null,
        PendingOutput.FileAttributesToKeep? keep = null)
    {
        inputPath = Named(inputPath);
        outputPath = Named(outputPath);
        if (inputPath is not null && outputPath is not null && SameFile(inputPath, outputPath))
        {
            return CliError.Usage($"{outputPath}: the output would replace the input (name another output)");
        }

        string subject = inputPath ?? "(stdin)";
        using IDisposable signals = PendingOutput.WatchSignals();
        try
        {
            using Stream source = inputPath is null ? Console.OpenStandardInput() : InputFile.Open(inputPath);
            Stream sink;
            try
            {
                sink = outputPath is null ? Console.OpenStandardOutput() : PendingOutput.Create(outputPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the output's fault: name it, not the input
                return translate?.Invoke(outputPath!, e) ?? CliError.Report(outputPath, e);
            }

            using (sink)
            {
                body(source, sink);
                sink.Flush();
                if (outputPath is not null)
                {
                    PendingOutput.Commit(sink, outputPath, keep);
                }
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return translate?.Invoke(subject, e) ?? CliError.Report(subject, e);
        }
        finally
        {
            PendingOutput.Remove();
        }
    }
}
