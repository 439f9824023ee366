using WarpDrive.Abi.Uacce;

namespace WarpDrive;

/// <summary>Where a <see cref="WdRuntime"/> finds the kernel's uacce devices and how it opens their queue files.</summary>
public sealed class UacceOptions
{
    /// <summary>The kernel's default class directory.</summary>
    public const string DefaultClassDirectory = "/sys/class/uacce";

    /// <summary>The kernel's default device directory.</summary>
    public const string DefaultDeviceDirectory = "/dev";

    /// <summary>The uacce class directory (one directory of attributes per device); <c>WD_UACCE_CLASS_DIR</c> sets it for
    /// <see cref="WdRuntime.Default"/>.</summary>
    public string ClassDirectory { get; init; } = DefaultClassDirectory;

    /// <summary>Where the devices' nodes are (<c>&lt;dir&gt;/&lt;name&gt;</c>); <c>WD_UACCE_DEV_DIR</c> sets it for
    /// <see cref="WdRuntime.Default"/>.</summary>
    public string DeviceDirectory { get; init; } = DefaultDeviceDirectory;

    /// <summary>Opens a device node: null opens it as a kernel character device (read-write, <c>O_CLOEXEC</c>). A
    /// device model sets its own, to stand where the kernel stands (tests). An <see cref="IOException"/> whose
    /// <c>HResult</c> is <see cref="UacceErrno.EBUSY"/> means the device has no free queue.</summary>
    public Func<string, IUacceQueueFile>? OpenQueueFile { get; init; }
}
