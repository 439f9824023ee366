namespace WarpDrive.Abi.Uacce;

/// <summary>The <c>flags</c> attribute of a uacce device (<c>include/uapi/misc/uacce/uacce.h</c>).</summary>
[Flags]
public enum UacceDeviceFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>UACCE_DEV_SVA</c>: shared virtual addresses (PASID, device page faults): the device uses the
    /// process's own pointers.</summary>
    Sva = 1 << 0,
}
