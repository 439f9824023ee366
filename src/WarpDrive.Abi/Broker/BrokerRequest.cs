using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Broker;

/// <summary>A control message from client to broker: exactly 32 bytes, one SEQPACKET datagram, no file descriptors.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct BrokerRequest
{
    /// <summary>Size on the wire.</summary>
    public const int Size = 32;

    /// <summary>What to do.</summary>
    [FieldOffset(0)] public BrokerOp Op;

    /// <summary>Op-specific flags.</summary>
    [FieldOffset(2)] public BrokerRequestFlags Flags;

    /// <summary>Must be zero.</summary>
    [FieldOffset(4)] public uint Reserved;

    /// <summary>First argument.</summary>
    [FieldOffset(8)] public ulong Arg0;

    /// <summary>Second argument.</summary>
    [FieldOffset(16)] public ulong Arg1;

    /// <summary>Third argument.</summary>
    [FieldOffset(24)] public ulong Arg2;
}
