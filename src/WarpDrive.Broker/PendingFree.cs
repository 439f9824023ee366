using WarpDrive.Devices;

namespace WarpDrive.Broker;

/// <summary>A shared region out of its domain, waiting for its grace period before the broker unmaps it; for
/// MEM_FREE, the connection to reply to. A region never entered in the domain has no grace period.</summary>
internal sealed record PendingFree(SharedRegion Region, UserAccount User, GracePeriod? Grace, ClientConnection? ReplyTo);
