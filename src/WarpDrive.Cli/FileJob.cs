namespace WarpDrive.Cli;

/// <summary>The frame of a command that turns one input into one output (compress, cipher): standard input and
/// output when no file is named; a named output written through <see cref="PendingOutput"/>, so that a failure or a
/// stop signal leaves nothing half-written; every failure one line on stderr with its exit code.</summary>
internal static class FileJob
{
    /// <summary>Runs <paramref name="body"/> from the input to the output and returns the exit code.</summary>
    /// <param name="inputPath">The input file, or null for standard input.</param>
    /// <param name="outputPath">The output file, or null for standard output.</param>
    /// <param name="body">The transformation; it writes everything to the sink it is given.</param>
    /// <param name="translate">Maps an exception the body throws to an exit code of its own, or null for the usual
    /// report (<see cref="CliError.Report"/>).</param>
    public static int Run(string? inputPath, string? outputPath, Action<Stream, Stream> body, Func<string, Exception, int?>? translate = null)
    {
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
                return CliError.Report(outputPath, e); // the output's fault: name it, not the input
            }

            using (sink)
            {
                body(source, sink);
                sink.Flush();
                if (outputPath is not null)
                {
                    PendingOutput.Commit(sink, outputPath);
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
