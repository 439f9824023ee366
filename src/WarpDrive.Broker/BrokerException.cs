namespace WarpDrive.Broker;

/// <summary>The broker cannot start or go on: a bad configuration, a run directory in use, a socket it cannot bind.
/// The message is one line meant for the operator.</summary>
public sealed class BrokerException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public BrokerException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
