using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Platform;
using WarpDrive.Queues;

namespace WarpDrive.Tests;

/// <summary>The safety net for lost wake-ups (issue 16): a sleeper announced on a <c>wd_ring_v1</c> queue that finds,
/// after its sleep, a completion the wake word never announced counts it as late, but not a completion that the device
/// is still in the middle of announcing, nor one announced as the protocol says. The device here is this test, posting
/// straight into the ring.</summary>
public sealed class LateReapTests : IDisposable
{
    private const int Depth = 8;
    private readonly nint _mem;
    private readonly QueueRegion _region;
    private readonly CompletionProducer _device;
    private readonly RingQueueDriver _driver;

    public unsafe LateReapTests()
    {
        _mem = (nint)NativeMemory.AlignedAlloc((nuint)RingLayout.RegionSize(Depth), 4096);
        _region = QueueRegion.Format(_mem, Depth, 0, 1);
        Volatile.Write(ref _region.State, (uint)QueueState.Started);
        _device = new CompletionProducer(_region);
        _driver = RingQueueDriver.TryOpen(_mem, RingLayout.RegionSize(Depth), out RingQueueDriver? driver, out string? error)
            ? driver
            : throw new InvalidOperationException(error);
    }

    public unsafe void Dispose() => NativeMemory.AlignedFree((void*)_mem);

    [Fact]
    public void ACompletionPostedWithoutMovingTheWordIsLate()
    {
        Assert.True(_driver.BeginWait(out FutexWaiter waiter));
        Assert.Equal(1u, Volatile.Read(ref _region.ClientWaiting));
        _device.Post(new Cqe { UserData = 1 });
        _device.Post(new Cqe { UserData = 2 });
        Volatile.Write(ref _region.CqTail, _device.Tail); // published, but the waiter is neither counted nor woken: lost
        Futex.Wait((nint)waiter.Address, (uint)waiter.Value, TimeSpan.FromMilliseconds(5)); // nothing wakes it: it times out
        Assert.Equal(2, _driver.EndWait(in waiter, check: true));
        Assert.Equal(0u, Volatile.Read(ref _region.ClientWaiting));
    }

    [Fact]
    public void ACompletionAnnouncedByTheProtocolIsNotLate()
    {
        Assert.True(_driver.BeginWait(out FutexWaiter waiter));
        _device.Post(new Cqe { UserData = 1 });
        Assert.True(_device.PublishAndCheckWaiter(), "the device did not see the announced waiter");
        Futex.Wake(_region.CqWakeAddress);
        Assert.Equal(0, _driver.EndWait(in waiter, check: true));
    }

    [Fact]
    public void ADeviceBetweenPostingAndMovingTheWordGetsItsGrace()
    {
        _driver.WakeGrace = TimeSpan.FromSeconds(10); // however slow this machine is right now
        Assert.True(_driver.BeginWait(out FutexWaiter waiter));
        _device.Post(new Cqe { UserData = 1 });
        int late = -1;
        var sleeper = new Thread(() => late = _driver.EndWait(in waiter, check: true));
        sleeper.Start();
        Thread.Sleep(50); // the device was preempted after posting, before it moved the word
        Assert.True(_device.PublishAndCheckWaiter(), "the sleeper gave up within its grace");
        Futex.Wake(_region.CqWakeAddress);
        Assert.True(sleeper.Join(10_000));
        Assert.Equal(0, late);
    }

    [Fact]
    public void AQueueBeingReleasedEndsTheGraceAtOnce()
    {
        _driver.WakeGrace = TimeSpan.FromSeconds(30);
        Assert.True(_driver.BeginWait(out FutexWaiter waiter));
        _device.Post(new Cqe { UserData = 1 });
        int late = -1;
        var sleeper = new Thread(() => late = _driver.EndWait(in waiter, check: true));
        sleeper.Start();
        Thread.Sleep(50);
        _driver.WakeSleepers(); // WdQueue.Dispose
        Assert.True(sleeper.Join(10_000), "the sleeper stayed in its grace period");
        Assert.Equal(0, late);
    }

    [Fact]
    public void AQueueBeingReleasedIsNotChecked()
    {
        Assert.True(_driver.BeginWait(out FutexWaiter waiter));
        _device.Post(new Cqe { UserData = 1 });
        Assert.Equal(0, _driver.EndWait(in waiter, check: false));
        Assert.Equal(0u, Volatile.Read(ref _region.ClientWaiting));
    }

    [Fact]
    public void ACompletionAlreadyThereIsNoSleep()
    {
        _device.Post(new Cqe { UserData = 1 });
        Assert.False(_driver.BeginWait(out _));
        Assert.Equal(0u, Volatile.Read(ref _region.ClientWaiting));
    }
}
