namespace WarpDrive.Abi;

/// <summary>Device capability flags (uacce's UACCE_DEV_* names).</summary>
[Flags]
public enum DeviceFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary>Shared virtual addressing: descriptors carry the process's own pointers.</summary>
    Sva = 1 << 0,

    /// <summary>The device may use static-share regions (memory it maps, for devices without SVA).</summary>
    Share = 1 << 1,
}
