namespace WarpDrive.Broker;

/// <summary>The clients the broker knows: connections by id (their epoll token) and processes by pid. The acceptor
/// adds to it, the cleanup removes from it; both on the loop's thread.</summary>
internal sealed class ClientTable
{
    private ulong _lastConnection;

    public Dictionary<ulong, ClientConnection> Connections { get; } = [];

    public Dictionary<int, ClientProcess> Processes { get; } = [];

    /// <summary>The id of the next connection (1, 2, ...: below every other epoll token).</summary>
    public ulong NextConnectionId() => ++_lastConnection;
}
