using WarpDrive.Abi;
using WarpDrive.Devices;
using WarpDrive.Discovery;

namespace WarpDrive.Tests;

public class QueueStateTests
{
    [Fact]
    public async Task DisabledQueueFailsFastAndComesBackFreshAfterRelease()
    {
        using var devices = new InProcessDevices(new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, QueueDepth = 8 });
        DeviceHost host = devices.Hosts[0];
        var queue = devices.OpenQueue("zip-0");
        Assert.Equal(QueueState.Started, queue.State);
        Assert.False(devices.TryOpenQueue("zip-0", out _)); // the only queue is taken

        var sleeper = Task.Run(() =>
        {
            // Asleep on the CQ with nothing in flight: disabling the queue must wake it well before its timeout.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            queue.WaitForCompletion(TimeSpan.FromSeconds(30));
            return sw.Elapsed;
        });
        await Task.Delay(200);
        host.DisableQueue((int)queue.QueueId, QueueDisableReason.Operator);
        TimeSpan slept = await sleeper.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(slept < TimeSpan.FromSeconds(10), $"slept {slept}");

        Assert.Equal(QueueState.Disabled, queue.State);
        var e = Assert.Throws<WdException>(() => queue.TrySend(new Sqe { Opcode = Opcode.Nop }));
        Assert.Contains("disabled", e.Message);
        Assert.Throws<WdException>(queue.Flush);

        queue.Dispose();
        Assert.Equal(1, host.AvailableInstances);
        using var again = devices.OpenQueue("zip-0");
        Assert.Equal(QueueState.Started, again.State);
        Assert.True(again.TrySend(new Sqe { UserData = 5, Opcode = Opcode.Nop }));
        again.Flush();
        Assert.True(again.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)));
        Assert.Equal(5UL, cqe.UserData);
    }
}
