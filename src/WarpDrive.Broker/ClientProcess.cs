using Microsoft.Win32.SafeHandles;
using WarpDrive.Devices;

namespace WarpDrive.Broker;

/// <summary>One client process as the broker knows it: its domain (one region table shared by all its queues on all
/// devices), its shared regions, its connections, and the pidfd that tells when it dies.</summary>
internal sealed class ClientProcess(int pid, string startTime, UserAccount user, SafeFileHandle pidfd, string command) : IDisposable
{
    private ulong _nextRegion;

    public int Pid { get; } = pid;

    /// <summary>Its command name when it first connected (/proc/PID/comm; <c>?</c> where unreadable), for the log.</summary>
    public string Command { get; } = command;

    /// <summary>Its pidfd said it exited (it had connections left then).</summary>
    public bool Exited { get; set; }

    /// <summary>Start time from /proc: with the pid, names the process even after its pid is reused.</summary>
    public string StartTime { get; } = startTime;

    public UserAccount User { get; } = user;

    public SafeFileHandle Pidfd { get; } = pidfd;

    public Domain Domain { get; } = new(pid);

    public HashSet<ClientConnection> Connections { get; } = [];

    public Dictionary<ulong, SharedRegion> Regions { get; } = [];

    public ulong NextRegionHandle() => ++_nextRegion;

    public void Dispose() => Pidfd.Dispose();
}
