namespace WarpDrive.Abi.Broker;

/// <summary>Flags of a <see cref="BrokerRequest"/>.</summary>
[Flags]
public enum BrokerRequestFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><see cref="BrokerOp.StartQueue"/>: when no queue is free, wait in FIFO order instead of failing.</summary>
    Wait = 1,
}
