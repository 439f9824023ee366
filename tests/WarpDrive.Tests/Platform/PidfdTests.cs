using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

[Trait(Tiers.Name, Tiers.Integration)]
public class PidfdTests
{
    [Fact]
    public void PidfdOfAKilledChildReportsExit()
    {
        using var child = Process.Start(new ProcessStartInfo("sleep", "5") { UseShellExecute = false })!;
        using (var pidfd = Pidfd.Open(child.Id))
        {
            Assert.False(Pidfd.HasExited(pidfd));
            child.Kill();
            var watch = Stopwatch.StartNew();
            while (!Pidfd.HasExited(pidfd) && watch.ElapsedMilliseconds < 1000)
            {
                Thread.Sleep(5);
            }

            Assert.True(Pidfd.HasExited(pidfd));
        }

        child.WaitForExit(); // reaped: the pid no longer names a process
        var e = Assert.Throws<PlatformException>(() => Pidfd.Open(child.Id));
        Assert.Equal(Interop.Libc.ESRCH, e.Errno);
        Assert.StartsWith($"pidfd_open({child.Id}) failed: ESRCH", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnProcessHasNotExited()
    {
        using var pidfd = Pidfd.Open(Environment.ProcessId);
        Assert.False(Pidfd.HasExited(pidfd));
    }
}
