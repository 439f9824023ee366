using System.Runtime.InteropServices;

namespace WarpDrive.Abi;

/// <summary>One entry of a data list (scatter-gather table): 16 bytes. The table itself and every buffer it
/// names must be device-visible memory; the device checks each entry as it checks the SQE's own addresses.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct DataListEntry
{
    /// <summary>Size of an entry in bytes.</summary>
    public const int Size = 16;

    /// <summary>Most entries one request may name.</summary>
    public const int MaxEntries = 1024;

    /// <summary>Address of the segment in the client's address space.</summary>
    [FieldOffset(0)] public ulong Address;

    /// <summary>Length of the segment in bytes.</summary>
    [FieldOffset(8)] public uint Length;

    /// <summary>Reserved, must be zero.</summary>
    [FieldOffset(12)] public uint Reserved;
}
