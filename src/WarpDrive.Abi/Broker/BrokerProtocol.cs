namespace WarpDrive.Abi.Broker;

/// <summary>Constants of the control protocol (<c>wd_broker_v1</c>).</summary>
public static class BrokerProtocol
{
    /// <summary>Protocol version returned by <see cref="BrokerOp.Info"/>.</summary>
    public const ulong Version = 1;

    /// <summary>Largest datagram either side sends.</summary>
    public const int MaxDatagram = BrokerResponse.Size + BrokerResponse.MaxMessageBytes;
}
