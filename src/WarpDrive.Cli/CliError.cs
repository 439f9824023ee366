namespace WarpDrive.Cli;

/// <summary>Turns a failure into one line on stderr and an exit code: no stack traces for the user.</summary>
internal static class CliError
{
    public static int Report(string? subject, Exception error)
    {
        (int code, string message) = error switch
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
        Console.Error.WriteLine(subject is null ? $"wd: {message}" : $"wd: {subject}: {message}");
        return code;
    }

    public static int Usage(string message)
    {
        Console.Error.WriteLine($"wd: {message}");
        Console.Error.WriteLine("Try 'wd --help' for more information.");
        return ExitCodes.Usage;
    }
}
