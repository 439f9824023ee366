using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Platform;

namespace WarpDrive.Discovery;

/// <summary>Watches one broker process (its pidfd) so that its queues read disabled the moment it dies, killed or
/// crashed, without a word: nothing would ever complete their requests or update their status words. The libraries
/// then fail the requests in flight and move new ones to the next device (the kernel does this for uacce queues when
/// a device goes away).</summary>
internal sealed class BrokerWatch : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(250);

    private readonly SafeFileHandle _pidfd;
    private readonly Thread _thread;
    private volatile bool _lost;
    private volatile bool _disposed;

    private BrokerWatch(int pid, SafeFileHandle pidfd)
    {
        Pid = pid;
        _pidfd = pidfd;
        _thread = new Thread(Run) { IsBackground = true, Name = $"wd-broker-watch-{pid}" };
        _thread.Start();
    }

    /// <summary>The broker's pid.</summary>
    public int Pid { get; }

    /// <summary>Whether the broker has exited.</summary>
    public bool IsLost => _lost;

    /// <summary>Starts watching <paramref name="pid"/>.</summary>
    /// <returns>false when it cannot be watched (already gone, no pidfd).</returns>
    public static bool TryStart(int pid, [NotNullWhen(true)] out BrokerWatch? watch)
    {
        try
        {
            watch = new BrokerWatch(pid, Pidfd.Open(pid));
            return true;
        }
        catch (PlatformException)
        {
            watch = null;
            return false;
        }
    }

    private void Run()
    {
        try
        {
            while (!_disposed)
            {
                if (Pidfd.WaitForExit(_pidfd, s_poll))
                {
                    _lost = true;
                    return;
                }
            }
        }
        catch (PlatformException)
        {
            // Cannot watch any more: the per-queue socket check still notices a dead broker within 50 ms of a wait.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        if (_thread != Thread.CurrentThread)
        {
            _thread.Join();
        }

        _pidfd.Dispose();
    }
}
