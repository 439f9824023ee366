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

    /// <summary><c>wd rsa verify</c>: the signature does not verify (6 is wdd's configuration error).</summary>
    public const int VerificationFailure = 7;

    /// <summary><c>wd bench</c>: requests still in flight a grace period after the run (completions were lost).</summary>
    public const int Stalled = 8;
}
