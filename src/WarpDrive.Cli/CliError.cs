namespace WarpDrive.Cli;

/// <summary>Turns a failure into one line on stderr and an exit code: no stack traces for the user.</summary>
internal static class CliError
{
    public static int Report(string? subject, Exception error)
    {
        (int code, string message) = Describe(error);
        Console.Error.WriteLine(subject is null ? $"wd: {message}" : $"wd: {subject}: {message}");
        return code;
    }

    /// <summary>wd's exit code for <paramref name="error"/> and the words that say what went wrong.</summary>
    public static (int Code, string Message) Describe(Exception error) => error switch
    {
        InvalidDataException e => (ExitCodes.DataError, e.Message),
        WarpDrive.Compression.WdOutputLimitExceededException e => (ExitCodes.DataError, e.Message), // --max-output
        WdDeviceNotFoundException e => (ExitCodes.NoDevice, e.Message),
        WdConfigurationException e => (ExitCodes.Usage, e.Message), // names the variable at fault
        FileNotFoundException or DirectoryNotFoundException => (ExitCodes.IoError, "no such file or directory"),
        UnauthorizedAccessException => (ExitCodes.IoError, "permission denied"),
        IOException e => (ExitCodes.IoError, e.Message),
        WdException e => (ExitCodes.DeviceError, e.Message),
        _ => (ExitCodes.DeviceError, $"internal error: {error.Message}"),
    };

    /// <summary>What the GNU tools (gzip, sha256sum) say for a file they cannot read: strerror's words for the usual
    /// file errors, else <see cref="Describe"/>'s.</summary>
    public static string SystemMessage(Exception error) => error switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => Describe(error).Message,
    };

    public static int Usage(string message)
    {
        Console.Error.WriteLine($"wd: {message}");
        Console.Error.WriteLine("Try 'wd --help' for more information.");
        return ExitCodes.Usage;
    }
}
