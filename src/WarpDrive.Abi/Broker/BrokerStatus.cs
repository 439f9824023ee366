namespace WarpDrive.Abi.Broker;

/// <summary>Result of a control message.</summary>
public enum BrokerStatus : int
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>Malformed message: wrong size, unknown op, reserved bits set, file descriptors attached.</summary>
    BadMessage = 1,

    /// <summary>The sender is not the process that opened the connection (a forked child, say).</summary>
    NotOwner = 2,

    /// <summary>No free queue on the device (<c>available_instances</c> is 0).</summary>
    NoQueue = 3,

    /// <summary>The device is isolated.</summary>
    Isolated = 4,

    /// <summary>The user already holds as many queues as the broker allows.</summary>
    QueueLimit = 5,

    /// <summary>The user's shared regions would exceed the broker's caps: bytes (like RLIMIT_MEMLOCK) or count.</summary>
    MemoryLimit = 6,

    /// <summary>No such region handle in the caller's domain, or it is not in the state the op needs.</summary>
    BadHandle = 7,

    /// <summary>The connection already has a started queue.</summary>
    AlreadyStarted = 8,

    /// <summary>The connection has no started queue.</summary>
    NotStarted = 9,

    /// <summary>An address or length the broker cannot accept (null, wrapping, zero, too large).</summary>
    BadAddress = 10,

    /// <summary>The broker could not do it (out of memory, too many files); nothing changed.</summary>
    Internal = 11,

    /// <summary>The broker holds <c>max_clients</c> connections, or the caller's user <c>max_connections_per_user</c>;
    /// sent unsolicited when the connection is accepted, which is then closed.</summary>
    ConnectionLimit = 12,
}
