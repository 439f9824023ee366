namespace WarpDrive.Broker;

/// <summary>A shared region a worker is unmapping; uncharged from its user once done, and then, for MEM_FREE, the
/// connection to answer.</summary>
internal sealed record PendingUnmap(long Length, UserAccount User, Task Done, ClientConnection? ReplyTo);
