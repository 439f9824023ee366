namespace WarpDrive.Platform;

/// <summary>A process's credentials as the kernel reports them for a socket peer or a message sender (<c>struct ucred</c>).</summary>
/// <param name="Pid">Process id, in the receiver's pid namespace (0 when the process is not visible there).</param>
/// <param name="Uid">User id: the effective one for a connected peer (SO_PEERCRED), the real one for a message sender (SCM_CREDENTIALS).</param>
/// <param name="Gid">Group id, effective or real like <paramref name="Uid"/>.</param>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid);
