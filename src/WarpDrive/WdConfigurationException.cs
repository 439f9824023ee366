namespace WarpDrive;

/// <summary>A WarpDrive setting (an environment variable, an option) has a value that cannot be used. The message is
/// one line and names the setting.</summary>
public sealed class WdConfigurationException : WdException
{
    /// <summary>Creates the exception for <paramref name="setting"/>.</summary>
    public WdConfigurationException(string setting, string message)
        : base(message) => Setting = setting;

    /// <summary>The setting at fault, e.g. <c>WD_COMP_CTX_NUM</c>.</summary>
    public string Setting { get; }
}
