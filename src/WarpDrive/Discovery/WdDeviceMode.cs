namespace WarpDrive;

/// <summary>Which devices a <see cref="WdRuntime"/> uses.</summary>
public enum WdDeviceMode
{
    /// <summary>Every device there is: the kernel's uacce devices, in-process ones and the broker's (the libraries
    /// prefer them in that order, <see cref="WdDeviceInfo.Priority"/>).</summary>
    Auto,

    /// <summary>Only device models running in this process (the embedded default).</summary>
    Local,

    /// <summary>Only the broker's devices (<c>wdd</c>, through its run directory).</summary>
    Broker,

    /// <summary>Only the kernel's uacce devices (real hardware, <c>/sys/class/uacce</c>).</summary>
    Kernel,
}
