namespace WarpDrive.Cli;

/// <summary>wd's exit codes (README.md lists them).</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int DataError = 1;
    public const int Usage = 2;
    public const int NoDevice = 3;
    public const int IoError = 4;
    public const int DeviceError = 5;
}
