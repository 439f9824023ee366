using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Broker;

/// <summary>The broker's reply: 32 bytes, then on failure a UTF-8 message of at most
/// <see cref="MaxMessageBytes"/>; a region's file descriptor rides along as SCM_RIGHTS.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct BrokerResponse
{
    /// <summary>Size of the fixed part on the wire.</summary>
    public const int Size = 32;

    /// <summary>Longest error message after the fixed part.</summary>
    public const int MaxMessageBytes = 224;

    /// <summary>The op this answers.</summary>
    [FieldOffset(0)] public BrokerOp Op;

    /// <summary>Zero.</summary>
    [FieldOffset(2)] public ushort Reserved;

    /// <summary>Result.</summary>
    [FieldOffset(4)] public BrokerStatus Status;

    /// <summary>First value.</summary>
    [FieldOffset(8)] public ulong Value0;

    /// <summary>Second value.</summary>
    [FieldOffset(16)] public ulong Value1;

    /// <summary>Third value.</summary>
    [FieldOffset(24)] public ulong Value2;
}
