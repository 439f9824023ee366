namespace WarpDrive.Tests;

/// <summary>A fact that needs root (to run a client as another uid): reported as skipped, with the reason, when the
/// tests do not run as root, so that a run never counts it as passed without checking anything.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root: it runs a client as uid 65534 with setpriv";
        }
    }
}
