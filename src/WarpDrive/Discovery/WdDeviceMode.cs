namespace WarpDrive;

/// <summary>Which devices a <see cref="WdRuntime"/> uses.</summary>
public enum WdDeviceMode
{
    /// <summary>In-process devices first, then the broker's.</summary>
    Auto,

    /// <summary>Only device models running in this process (the embedded default).</summary>
    Local,

    /// <summary>Only the broker's devices (<c>wdd</c>, through its run directory).</summary>
    Broker,
}
