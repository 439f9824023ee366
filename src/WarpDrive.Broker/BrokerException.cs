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

    /// <summary>The configuration asks for something this machine cannot give (a group that does not exist, an engine
    /// that is not installed): <c>wdd</c> exits with the configuration error code.</summary>
    public bool IsConfigurationError { get; init; }

    /// <summary>Creates the exception with its cause.</summary>
    public BrokerException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
